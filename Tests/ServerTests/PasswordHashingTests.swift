import ReturnLedgerCore
import ReturnLedgerServer
import ReturnLedgerWire
import TestClient
import Testing

/// A password is hashed (tens of milliseconds of CPU) only for a request that would go ahead:
/// whoever may connect must not be able to make the server hash on demand.
@Suite struct PasswordHashingTests {
    @Test func onlyARequestThatWouldGoAheadIsHashed() throws {
        let node = try StorageFailureTests.InProcess()
        let admin = try node.login("admin", StorageFailureTests.adminPassword)
        #expect(try admin.call("USER ADD clerk1 role=clerk password=clerk1").ok)
        let engine = node.server.engine
        let clerk = Session(id: 9001, peer: "test", user: "clerk1")
        let root = Session(id: 9002, peer: "test", user: "admin")
        /// The engine's answer before any hash: nil means "hash it, then run it".
        func answer(_ line: String, _ session: Session, _ command: @escaping @Sendable (String) -> Command) throws -> DomainError.Code?? {
            guard case .success(let request)? = RequestParser.parse(Array(line.utf8)) else { throw DomainError(.INTERNAL, line) }
            guard let result = engine.onQueue({ engine.answerWithoutHashing(request, command, session: session) }) else { return nil }
            guard case .failure(let error)? = result.replies.first else { return .some(nil) }
            return error.code
        }
        // A clerk may not add users: DENIED, and nothing hashed.
        #expect(try answer("USER ADD eve role=admin password=pw", clerk) {
            .userAdd(name: "eve", role: .admin, passwordHash: $0)
        } == .some(.DENIED))
        // Another's password: refused by the domain, nothing hashed.
        #expect(try answer("USER PASSWORD admin password=pw", clerk) { .userPassword(name: "admin", passwordHash: $0) } == .some(.DENIED))
        // A user that exists: refused before the hash too.
        #expect(try answer("USER ADD clerk1 role=clerk password=pw", root) {
            .userAdd(name: "clerk1", role: .clerk, passwordHash: $0)
        } == .some(.EXISTS))
        // What would go ahead is hashed: the engine leaves it to the hash.
        #expect(try answer("USER ADD bob role=clerk password=pw", root) { .userAdd(name: "bob", role: .clerk, passwordHash: $0) } == nil)
        #expect(try answer("USER PASSWORD clerk1 password=pw", clerk) { .userPassword(name: "clerk1", passwordHash: $0) } == nil)
        // The refusals were audited as before, and nothing with the placeholder hash was stored.
        let audit = try admin.call("AUDIT limit=100").data
        #expect(audit.contains { $0.contains("command=\"USER ADD\"") && $0.contains("outcome=DENIED") && $0.contains("user=clerk1") })
        #expect(try admin.call("USER LIST").data.count == 2)
    }
}
