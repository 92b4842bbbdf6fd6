import COpenSSL
import Glibc
import ReturnLedgerCore

/// The server's certificate and key for the TLS listener (protocol.md, TLS), loaded once at
/// start-up through the system's OpenSSL: TLS 1.2 at least, no renegotiation or compression.
/// Anything wrong with the files is one line for the operator and exit status 2; an expired
/// certificate only warns (a shop whose certificate lapsed over the weekend still opens).
public final class TLSContext: @unchecked Sendable {
    /// `SSL_CTX *`: read-only once loaded, shared by every TLS connection on every loop.
    let context: OpaquePointer
    /// When the certificate stops being valid, as the wire writes times.
    public let notAfter: String
    public let expired: Bool

    public init(certificate: String, key: String) throws(Flags.Failure) {
        for (flag, path) in [("--tls-cert", certificate), ("--tls-key", key)] {
            if let reason = Syscalls.unreadable(path) { throw Flags.Failure(message: "cannot read \(flag) \(path): \(reason)") }
        }
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw Flags.Failure(message: "cannot set up TLS: \(TLSContext.lastError())")
        }
        self.context = context
        _ = rl_ssl_ctx_set_min_tls12(context)
        _ = rl_ssl_ctx_set_options(context)
        _ = rl_ssl_ctx_set_partial_writes(context)
        rl_ssl_ctx_set_read_ahead(context)
        guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
            let reason = TLSContext.lastError()
            SSL_CTX_free(context)
            throw Flags.Failure(message: "--tls-cert \(certificate) is not a PEM certificate: \(reason)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
            let reason = TLSContext.lastError()
            SSL_CTX_free(context)
            if reason.contains("mismatch") {  // OpenSSL checks the pair as it loads the key
                throw Flags.Failure(message: "--tls-key \(key) does not match the certificate in \(certificate)")
            }
            throw Flags.Failure(message: "--tls-key \(key) is not a PEM private key: \(reason)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            SSL_CTX_free(context)
            throw Flags.Failure(message: "--tls-key \(key) does not match the certificate in \(certificate)")
        }
        let time = X509_get0_notAfter(SSL_CTX_get0_certificate(context))
        expired = X509_cmp_current_time(time) < 0
        notAfter = TLSContext.format(time)
    }

    deinit { SSL_CTX_free(context) }

    /// The warning for the operator's log and INFO, if the certificate has expired.
    public var warning: String? {
        expired ? "the TLS certificate expired at \(notAfter): clients that check it will refuse to connect" : nil
    }

    /// OpenSSL's most recent error on this thread, as text (and the queue cleared).
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return cText(text)
    }

    /// As the wire writes every time (`Timestamp`).
    private static func format(_ time: UnsafePointer<ASN1_TIME>?) -> String {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return "" }
        return Timestamp(seconds: Int64(timegm(&parts))).description
    }
}
