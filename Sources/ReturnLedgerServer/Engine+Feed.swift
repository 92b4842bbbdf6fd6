import ReturnLedgerCore
import ReturnLedgerStorage

extension Engine {
    func feed(from: UInt64, limit: Int, wait: Int, _ context: Context) -> Execution {
        .reply(.failure(DomainError(.INTERNAL, "FEED is not built yet")))
    }
}
