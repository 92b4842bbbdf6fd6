import ReturnLedgerCore

/// HELP, from the command table: before AUTH the open commands; after it each command with the
/// first form the role may use; `HELP word` every form of one command.
extension Engine {
    func help(_ topic: String?, loggedIn: Bool, role: Role) -> Result<Reply, DomainError> {
        if let topic {
            guard let word = CommandWord.named(topic) else {
                return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(topic.prefix(64))"))
            }
            return .success(Reply(lines: word.spec.forms.map { [Field("usage", $0.usage)] }))
        }
        let lines: [[Field]] = CommandWord.allCases.compactMap { word in
            let forms = word.isOpen ? word.spec.forms : loggedIn ? CommandTable.forms(of: word, for: role) : []
            guard let first = forms.first else { return nil }
            return [Field("command", word.name), Field("usage", first.usage)]
        }
        return .success(Reply(lines: lines))
    }
}
