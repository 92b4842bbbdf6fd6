import CCrypt
import Glibc

/// Salted slow hashes through the system's libcrypt: yescrypt (`$y$`), or SHA-512-crypt where
/// yescrypt is missing. A hash or a check costs ~20 ms, so neither ever runs on the writer queue.
public enum PasswordHasher {
    public static func hash(_ password: String) -> String {
        for prefix in ["$y$", "$6$"] {
            var salt = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
            guard crypt_gensalt_rn(prefix, 0, nil, 0, &salt, Int32(salt.count)) != nil else { continue }
            if let hashed = crypt(password, setting: salt), hashed.hasPrefix(prefix) { return hashed }
        }
        preconditionFailure("libcrypt offers neither yescrypt nor SHA-512-crypt")
    }

    /// Constant-time comparison of the recomputed hash with the stored one.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard let computed = stored.withCString({ crypt(password, setting: Array(UnsafeBufferPointer(start: $0, count: strlen($0) + 1))) })
        else { return false }
        let a = Array(computed.utf8), b = Array(stored.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<min(a.count, b.count) { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Not a crypt(3) result, so no password verifies against it: what a request carries while the
    /// engine checks whether it may be hashed at all (`Engine.answerWithoutHashing`).
    static let matchesNothing = "!"

    /// A hash of a random password, checked against when the user does not exist, so an unknown
    /// name costs as much time as a wrong password.
    static let decoy: String = hash(String(decoding: Syscalls.randomBytes(16).map { 97 + $0 % 26 }, as: UTF8.self))

    private static func crypt(_ password: String, setting: [CChar]) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let out = crypt_r(password, setting, data) else { return nil }
        let text = String(cString: out)
        return text.hasPrefix("*") ? nil : text
    }

    /// A random password of 16 letters and digits, for a first start without one.
    static func randomPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".utf8)
        return String(decoding: Syscalls.randomBytes(16).map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }
}
