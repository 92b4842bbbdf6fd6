import FuzzTargets
import Glibc
import ReturnLedgerStorage

TimeZoneFiles.install()  // as the server does: zone names in requests and logs resolve

// fuzz TARGET [ARGS...]: one of the fuzz targets (wire, storage, engine).
//
// Built by tools/fuzz/run.sh with `-sanitize=fuzzer,address -D FUZZING`, it is libFuzzer's
// driver: ARGS are libFuzzer's (a corpus directory, -max_total_time=, -runs=...). In a normal
// build there is no libFuzzer, and ARGS are files or directories to run the target on once each
// (a crash found by the fuzzer, replayed without the sanitizer).

// The target is the first argument, or FUZZ_TARGET: libFuzzer's -jobs re-runs this program with
// its own arguments only, so run.sh sets the variable too.
var arguments = CommandLine.arguments
let named = arguments.count >= 2 ? FuzzTarget(rawValue: arguments[1]) : nil
if named != nil { arguments.remove(at: 1) }
guard let target = named ?? getenv("FUZZ_TARGET").flatMap({ FuzzTarget(rawValue: String(cString: $0)) }) else {
    print("usage: fuzz wire|storage|engine [libFuzzer options or input files]  (or FUZZ_TARGET=...)")
    exit(2)
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

nonisolated(unsafe) var chosen = target
var rest = arguments
var argc = Int32(rest.count)
var cStrings: [UnsafeMutablePointer<CChar>?] = rest.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        chosen.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
#else
var ran = 0
@MainActor func runFile(_ path: String) {
    guard let file = fopen(path, "rb") else { print("fuzz: cannot read \(path)"); exit(2) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    target.run(bytes)
    ran += 1
}
for path in arguments.dropFirst() {
    if let dir = opendir(path) {
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { runFile(path + "/" + name) }
        }
        closedir(dir)
    } else {
        runFile(path)
    }
}
print("fuzz \(target.rawValue): ran \(ran) inputs, no property violated")
#endif
