import TestClient
import Testing

/// WATCH against the server in this process, on a file system whose fsyncs a test can hold:
/// a push never runs ahead of the log.
@Suite struct WatchDurabilityTests {
    func push(_ client: Client, seconds: Double = 10) throws -> String {
        guard let line = try client.nextPush(within: seconds) else { throw Client.Failure(message: "no push within \(seconds) s") }
        return line
    }

    @Test func nothingIsPushedBeforeTheChangeIsDurable() throws {
        let node = try StorageFailureTests.InProcess()
        let admin = try node.login("admin", StorageFailureTests.adminPassword)
        for line in ["USER ADD sup1 role=supervisor password=sup1", "USER ADD clerk1 role=clerk password=clerk1",
                     "LOCATION ADD STORE1 name=Main", "SKU ADD A100 name=Kettle price=25", "SALE S-1 location=STORE1 A100:5"] {
            #expect(try admin.call(line).ok, "\(line)")
        }
        let watcher = try node.login("sup1", "sup1"), clerk = try node.login("clerk1", "clerk1")
        #expect(try watcher.call("WATCH").ok)
        node.fs.holdSyncs(true)
        try clerk.send("RETURN S-1 A100:1 reason=DEFECTIVE\n")
        // The record is written, its fsync held: neither the filer's OK nor the push may come.
        #expect(try watcher.nextPush(within: 0.5) == nil)
        node.fs.holdSyncs(false)
        #expect(try clerk.readReply().ok)
        #expect(try push(watcher).hasPrefix("! pending id=R000001 "))
    }
}
