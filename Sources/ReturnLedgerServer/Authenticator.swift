import Dispatch
import ReturnLedgerCore
import ReturnLedgerWire

/// AUTH, USER ADD and USER PASSWORD: crypt(3) takes ~20 ms, which must not stall a loop that
/// serves many connections. The hash runs on a queue of its own; the engine is asked before
/// (what to compare) and after (record the outcome); the result comes back on the loop.
enum Authenticator {
    /// Where the slow crypt(3) calls run, off every event loop and the writer.
    private static let slowWork = DispatchQueue(label: "returnledger.crypt", attributes: .concurrent)

    /// What an AUTH attempt means for the session.
    struct Login: Sendable {
        var user: String
        var succeeded: Bool
    }

    static func needsCrypt(_ command: ParsedCommand) -> Bool {
        switch command {
        case .server(.auth), .server(.userAdd), .server(.userPassword): return true
        case .server, .change, .query: return false
        }
    }

    /// Runs a crypt command; `done` is called on `loop` with its batch result and, for AUTH, the
    /// login outcome.
    static func run(_ request: Request, _ command: ParsedCommand, engine: Engine, session: Session, loop: EventLoop,
                    done: @escaping @Sendable (Engine.BatchResult, Login?) -> Void) {
        switch command {
        case .server(.auth(let user, let password)):
            let check = engine.onQueue { engine.loginCheck(user) }
            slowWork.async {
                let matched: Bool
                switch check {
                case .compare(let hash): matched = PasswordHasher.verify(password, against: hash)
                case .unknown:
                    _ = PasswordHasher.verify(password, against: PasswordHasher.decoy)  // as slow as a real check
                    matched = false
                case .locked: matched = false
                }
                loop.post {
                    let result = engine.onQueue { engine.recordLogin(user, check: check, passwordMatched: matched, session: session) }
                    let succeeded: Bool
                    if case .compare = check { succeeded = matched } else { succeeded = false }
                    done(result, Login(user: user, succeeded: succeeded))
                }
            }
        case .server(.userAdd(let name, let role, let password, let locations)):
            hashThenRun(request, password, engine: engine, session: session, loop: loop, done: done) {
                .userAdd(name: name, role: role, passwordHash: $0, locations: locations)
            }
        case .server(.userPassword(let name, let password)):
            hashThenRun(request, password, engine: engine, session: session, loop: loop, done: done) {
                .userPassword(name: name, passwordHash: $0)
            }
        case .server(.ping), .server(.help), .server(.whoami), .server(.quit), .server(.info), .server(.snapshot), .server(.backup),
             .server(.feed), .server(.digest), .server(.watch), .server(.unwatch), .server(.replicate), .server(.promote), .server(.archive), .server(.archiveList), .change, .query:
            loop.post { done(Engine.BatchResult(replies: [.failure(DomainError(.INTERNAL, "not a crypt command"))]), nil) }
        }
    }

    private static func hashThenRun(_ request: Request, _ password: String, engine: Engine, session: Session, loop: EventLoop,
                                    done: @escaping @Sendable (Engine.BatchResult, Login?) -> Void,
                                    _ command: @escaping @Sendable (String) -> Command) {
        // Nothing is hashed for a request that would be refused anyway (a clerk's USER ADD, a
        // user that exists): hashing on demand would be free CPU for anyone who may connect.
        if let refused = engine.onQueue({ engine.answerWithoutHashing(request, command, session: session) }) {
            return done(refused, nil)
        }
        slowWork.async {
            let hash = PasswordHasher.hash(password)
            loop.post {
                var hashed = request
                hashed.parsed = .success(.change(command(hash)))
                let work: [Incoming] = [.request(hashed)]
                done(engine.onQueue { engine.run(work, session: session) }, nil)
            }
        }
    }
}
