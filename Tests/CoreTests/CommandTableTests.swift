import Foundation
import ReturnLedgerCore
import Testing

/// The command table is the one source of what each command is; these check that the copies
/// outside Swift agree with it, and that its rows are well formed.
@Suite struct CommandTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A form's name as clients spell it: the word, and its sub-command when the word has them.
    static func name(_ spec: CommandSpec, _ form: CommandForm) -> String {
        form.sub.map { spec.name + " " + $0 } ?? spec.name
    }

    @Test func thePythonClientsRetryTableIsTheCommandTable() throws {
        let source = try String(contentsOf: CommandTableTests.root.appendingPathComponent("clients/python/returnledger/client.py"),
                                encoding: .utf8)
        let start = try #require(source.range(of: "RESEND = {"))
        let end = try #require(source.range(of: "}", range: start.upperBound..<source.endIndex))
        var python: [String: String] = [:]
        let body = source[start.upperBound..<end.lowerBound]
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: ":").map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(["\""])) }
            guard parts.count == 2 else { continue }
            python[parts[0]] = parts[1]
        }
        var table: [String: String] = [:]
        for spec in CommandTable.all {
            for form in spec.forms { table[CommandTableTests.name(spec, form)] = form.resend.rawValue }
        }
        #expect(python == table)
    }

    @Test func formsOfAWordAgreeOnWhetherTheyHaveSubcommands() {
        for spec in CommandTable.all {
            let withSub = spec.forms.filter { $0.sub != nil }.count
            // Except ARCHIVE, whose contract gives both `ARCHIVE through=DATE` and `ARCHIVE LIST`:
            // its bare form starts with a key=value, never taken for a sub-command.
            if spec.name == "ARCHIVE" {
                #expect(withSub == 1 && spec.forms.first { $0.sub == nil }?.parameters.first?.named == true)
                continue
            }
            #expect(withSub == 0 || withSub == spec.forms.count, "\(spec.name)")
            for form in spec.forms {
                #expect(form.usage.hasPrefix(CommandTableTests.name(spec, form)), "\(form.usage)")
            }
        }
    }

    /// A parameter's key is unique in its form (build reads by key), and a repeating argument is
    /// the last positional one.
    @Test func everyFormsParametersCanBeReadByKey() {
        for spec in CommandTable.all {
            for form in spec.forms {
                let keys = form.parameters.map(\.key)
                #expect(Set(keys).count == keys.count, "\(form.usage): a key twice")
                let positional = form.parameters.filter { !$0.named }
                if let repeating = positional.firstIndex(where: \.repeats) {
                    #expect(repeating == positional.count - 1, "\(form.usage): a repeating argument must be the last positional one")
                }
            }
        }
    }
}
