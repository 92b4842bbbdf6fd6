import Foundation
import ReturnLedgerServer
import ReturnLedgerStorage
import Synchronization
import TestClient
import Testing

/// A server in this process on a file layer that can fail: a full disk or a failing fsync must
/// give `ERR STORAGE` and never acknowledge what was not stored.
@Suite struct StorageFailureTests {
    /// The operator's log of the servers in this process: checked, not printed.
    static let logged = Mutex<[String]>([])
    static let adminPassword = "admin-pw-1"

    final class InProcess {
        let server: Server
        let fs = FaultInjectingFileSystem()
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("rl-fault-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var config = ServerConfig()
            config.port = 0
            config.dataDirectory = directory.path
            config.adminPassword = StorageFailureTests.adminPassword
            config.fileSystem = fs
            Runner.captureLog { line in StorageFailureTests.logged.withLock { $0.append(line) } }
            server = try Server(config: config)
            _ = server.bootstrap()
            try server.start()
        }

        func login(_ user: String, _ password: String) throws -> Client {
            let client = try Client(port: server.port!)
            #expect(try client.call("AUTH \(user) \(password)").ok)
            return client
        }

        deinit {
            server.shutdown()
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: directory.path + "-backups")
        }
    }

    func setUp(_ node: InProcess) throws -> Client {
        let admin = try node.login("admin", StorageFailureTests.adminPassword)
        for line in ["USER ADD clerk1 role=clerk password=clerk1", "USER ADD sup1 role=supervisor password=sup1",
                     "LOCATION ADD STORE1 name=Main", "SKU ADD A100 name=Kettle price=25", "PARTY ADD customer C1 name=Ana",
                     "SALE S1 location=STORE1 customer=C1 A100:5"] {
            #expect(try admin.call(line).ok, "\(line)")
        }
        return try node.login("clerk1", "clerk1")
    }

    @Test(arguments: ["fsync", "write"])
    func failuresRefuseChangesButReadsGoOn(fault: String) throws {
        let node = try InProcess()
        let clerk = try setUp(node)
        #expect(try clerk.call("RETURN S1 A100:1 reason=DEFECTIVE key=ok-1").ok)
        if fault == "fsync" { node.fs.failSyncs(true) } else { node.fs.failWrites(true) }
        let refused = try clerk.call("RETURN S1 A100:1 reason=DEFECTIVE key=lost-1")
        #expect(refused.code == "STORAGE")
        #expect(try clerk.call("RETURN S1 A100:1 reason=DEFECTIVE key=lost-2").code == "STORAGE")
        // Reads go on, and show only what was stored.
        let list = try clerk.call("LIST")
        #expect(list["count"] == "1")
        #expect(try clerk.call("STOCK A100")["on_hand"] == "-5")
        let info = try node.login("admin", StorageFailureTests.adminPassword).call("INFO")
        #expect(info.data.contains { $0.hasPrefix("* section=wal") && $0.contains("status=failed") })
        // The operator was told, once, what failed.
        let told = StorageFailureTests.logged.withLock { $0 }
        #expect(told.contains { $0.hasPrefix("storage failed: ") && $0.contains("(injected)") }, "\(told)")

        // A restart on a healthy disk has the acknowledged return and not the refused ones.
        node.server.shutdown()
        node.fs.failSyncs(false)
        node.fs.failWrites(false)
        var config = ServerConfig()
        config.port = 0
        config.dataDirectory = node.directory.path
        let restarted = try Server(config: config)
        try restarted.start()
        defer { restarted.shutdown() }
        let client = try Client(port: restarted.port!)
        #expect(try client.call("AUTH clerk1 clerk1").ok)
        // After a failed fsync the refused record may or may not have reached the disk (it was
        // never acknowledged, so either is correct); after a failed write it cannot have.
        let after = Int(try client.call("LIST")["count"] ?? "") ?? -1
        #expect(fault == "fsync" ? (1...2).contains(after) : after == 1)
        #expect(try client.call("RETURN S1 A100:1 reason=DEFECTIVE key=ok-1")["existed"] == "yes")
        // A retry of the refused one is safe either way: one return per key, never two.
        #expect(try client.call("RETURN S1 A100:1 reason=DEFECTIVE key=lost-1").ok)
        #expect(try client.call("LIST")["count"] == String(max(after, 2)))
    }
}
