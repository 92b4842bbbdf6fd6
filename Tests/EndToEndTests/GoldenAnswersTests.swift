import Foundation
import Testing

/// The real binary, started on a copy of each golden data directory of an earlier version, gives
/// the very replies that version gave, and keeps taking changes after the upgrade.
@Suite struct GoldenAnswersTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// (query prefix, field) pairs added to lines since each golden version: format 1 had no
    /// `locations=` and `locked_until=` on USER LIST, no `total=` on LIST's status line; format 3
    /// had those, and neither had `rules=` on SHOW; none had the return types' and paging's fields
    /// (fees, exchanges, overrides, customer limits, `next=` cursors), and none the business day's
    /// time zone.
    static let section17: [(String, String)] = [("POLICY SHOW", "timezone")]
    /// Tills, tenders and store credit (and the places section 20's tax and void fields hold).
    static let section19: [(String, String)] = [
        ("POLICY SHOW", "credit_days"), ("POLICY SHOW", "offline_hours"), ("POLICY SHOW", "cross_store"), ("LIST", "late"),
        ("SHOW", "late"), ("SHOW", "taken_at"), ("SHOW", "till"), ("SHOW", "tax"), ("SHOW", "void"), ("SHOW", "tender_override"),
        ("BALANCE ", "credit"), ("STATS", "refund_cash"), ("STATS", "refund_card"), ("STATS", "refund_credit"),
        ("STATS", "refund_other"), ("ORDER", "discount"), ("ORDER", "tax"), ("ORDER", "tender"), ("FEED", "tender"),
        ("FEED", "till"), ("FEED", "session"), ("FEED", "taken_at"), ("FEED", "refund_parts"), ("FEED", "tender_override"),
    ]
    /// Section 20: tax and discount on status lines and list lines alike; documents you can
    /// trust: DOC's tax, refund, chain fields, FEED's `hash=` on an approval. (FEED's new
    /// `doc.issued` and `doc.item` lines are taken out whole.)
    static let section20: [(String, String)] = [
        ("SKU LIST", "tax"), ("POLICY SHOW", "tax_included"), ("STATS", "voided"), ("STATS", "tax"),
        ("FEED", "discount"), ("FEED", "tax_rate"), ("FEED", "tax"), ("FEED", "fee_tax"), ("FEED", "net_tax"),
        ("DOC", "tax_rate"), ("DOC", "tax"), ("DOC", "fee_tax"), ("DOC", "net_tax"), ("DOC", "refund"), ("DOC", "tender"),
        ("DOC", "doc_type"), ("DOC", "voids"), ("DOC", "voided"), ("DOC", "hash"), ("DOC", "prev"), ("FEED", "hash"),
    ]
    /// Section 20's fields on `* ` lines only: ORDER's and SHOW's status lines held `discount=`
    /// and `tax=` (0.00) since format 8, their lines did not.
    static let section20Lines: [(String, String)] = [
        ("ORDER", "amount"), ("ORDER", "discount"), ("ORDER", "tax_rate"), ("ORDER", "tax"), ("SHOW", "tax_rate"), ("SHOW", "tax"),
    ]
    /// Section 21 (goods after the return): held stock, suppliers and RMAs, per-unit decisions.
    /// (SHOW's `* disposed` and FEED's `disposition.line` lines are taken out whole.)
    static let section21: [(String, String)] = [
        ("SKU LIST", "supplier"), ("PARTY LIST", "rma_required"), ("STOCK", "rtv"), ("STOCK", "refurbish"), ("STOCK", "transit"),
        ("SHOW", "serials"), ("SHOW", "quarantine"), ("SHOW", "rma"), ("SHOW", "source"), ("SHOW", "expected"),
        ("SHOW", "received"), ("SHOW", "credit_ref"), ("DOC", "rma"), ("DOC", "expected"),
    ]
    /// Section 21's FEED fields, by line type (`value=` and `expected=` are older fields of other lines).
    static let section21Feed: [(String, [String])] = [
        ("stock.moved", ["serials", "transit", "refurbish", "rtv"]), ("return.inspected", ["value", "left"]),
        ("return.filed", ["expected", "source", "rma"]), ("return.approved", ["rma"]), ("sku.added", ["supplier"]),
        ("party.added", ["rma_required"]),
    ]
    /// Section 22 (stock moves and policy per product): a location's site on its list line and
    /// FEED's `location.added` (no other line has a `site=`); categories and return rules on
    /// SKUs, ORDER's serials and each sale line's rule, SHOW's waivers.
    static let section22: [(String, String)] = [
        ("LOCATION LIST", "site"), ("FEED", "site"),
        ("SKU LIST", "serial"), ("SKU LIST", "category"), ("SKU LIST", "return_days"), ("SKU LIST", "final_sale"),
        ("SKU LIST", "fee"), ("ORDER", "serials"), ("ORDER", "returned_serials"), ("ORDER", "return_until"),
        ("ORDER", "final_sale"), ("SHOW", "overridden"), ("DOC", "serials"),
    ]
    /// Section 23: the archive holding a record ("" while live), last on these lines.
    static let section23: [(String, String)] = [("SHOW", "archive"), ("LIST", "archive"), ("DOC", "archive"), ("ORDER", "archive")]
    /// Section 22's FEED fields, by line type (serial numbers on order lines and return items).
    static let section22Feed: [(String, [String])] = [
        ("sku.added", ["fee", "final_sale", "return_days", "category", "serial"]), ("return.filed", ["overridden"]),
        ("order.line", ["serials"]), ("return.item", ["serials"]),
    ]
    static let section13And14: [(String, String)] = [
        ("LIST", "next"), ("LIST", "exchange"), ("SHOW", "exchange"), ("SHOW", "override"), ("REASON LIST", "fee"),
        ("POLICY SHOW", "customer_returns"), ("POLICY SHOW", "customer_days"), ("STATS", "fees"), ("AUDIT", "next"),
    ] + section17
    static let addedFields: [String: [(String, String)]] = [
        "golden-v1": [("USER LIST", "locked_until"), ("USER LIST", "locations"), ("LIST", "total"), ("SHOW", "rules")]
            + section13And14 + section19 + section20 + section21 + section22 + section23,
        "golden-v3": [("SHOW", "rules")] + section13And14 + section19 + section20 + section21 + section22 + section23,
        "golden-v4": section13And14 + section19 + section20 + section21 + section22 + section23,
        "golden-v5": section17 + section19 + section20 + section21 + section22 + section23,
        "golden-v6": section19 + section20 + section21 + section22 + section23,
        "golden-v7": section19 + section20 + section21 + section22 + section23,
        "golden-v8": section20 + section21 + section22 + section23,
        "golden-v9": section21 + section22 + section23,
        "golden-v10": section22 + section23,
        "golden-v11": section23,
        "golden-v12": section23,
        "golden-v13": [],
        "golden-v14": [],
        "golden-v15": [],
        "golden-v16": [],
    ]

    /// The line without the field `name=value` (quoted or bare), wherever it stands; unchanged
    /// when the line has no such field.
    static func drop(_ field: String, from line: String) -> String {
        guard let range = line.range(of: " \(field)=", options: .backwards) else { return line }
        var end = range.upperBound
        if end < line.endIndex, line[end] == "\"" {
            end = line.index(after: end)
            while end < line.endIndex, line[end] != "\"" {
                if line[end] == "\\" { end = line.index(after: end) }
                end = line.index(after: end)
            }
            if end < line.endIndex { end = line.index(after: end) }
        } else {
            end = line[end...].firstIndex(of: " ") ?? line.endIndex
        }
        return String(line[..<range.lowerBound] + line[end...])
    }

    @Test(arguments: ["golden-v1/log-only", "golden-v1/snapshot", "golden-v3/log-only", "golden-v3/snapshot",
                      "golden-v4/log-only", "golden-v4/snapshot", "golden-v5/log-only", "golden-v5/snapshot",
                      "golden-v6/log-only", "golden-v6/snapshot", "golden-v7/log-only", "golden-v7/snapshot",
                      "golden-v8/log-only", "golden-v8/snapshot", "golden-v9/log-only", "golden-v9/snapshot",
                      "golden-v10/log-only", "golden-v10/snapshot", "golden-v11/log-only", "golden-v11/snapshot",
                      "golden-v12/log-only", "golden-v12/snapshot", "golden-v13/log-only", "golden-v13/snapshot",
                      "golden-v14/log-only", "golden-v14/snapshot", "golden-v15/log-only", "golden-v15/snapshot",
                      "golden-v16/log-only", "golden-v16/snapshot"])
    func theUpgradedServerGivesTheAnswersOfTheVersionThatWroteIt(_ name: String) throws {
        let source = GoldenAnswersTests.fixtures.appendingPathComponent(name)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("rl-golden-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer {
            try? FileManager.default.removeItem(at: copy)
            try? FileManager.default.removeItem(atPath: copy.path + "-backups")
        }

        var server = try ServerProcess(directory: copy)
        defer { server.stop() }
        let expected = try String(contentsOf: source.appendingPathExtension("answers.txt"), encoding: .utf8)
        // Logging in is audited: the one record this session adds is taken out of AUDIT's reply,
        // and DIGEST (which covers it) is checked by GoldenDataTests on the directory itself.
        let admin = try server.login("admin", password: "golden-admin")
        var compared = 0
        for block in expected.components(separatedBy: "\n> ") {
            var lines = block.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
            let query = String(lines.removeFirst().drop { $0 == ">" || $0 == " " })
            while lines.last == "" { lines.removeLast() }
            guard query != "DIGEST" else { continue }
            var reply = try admin.call(query)
            // Fields added at the end of lines since that version (the contract allows it):
            // taken off before comparing.
            let added = GoldenAnswersTests.addedFields[String(name.prefix { $0 != "/" })]!
            for (prefix, field) in added where query.hasPrefix(prefix) {
                reply.data = reply.data.map { GoldenAnswersTests.drop(field, from: $0) }
                reply.status = GoldenAnswersTests.drop(field, from: reply.status)
            }
            // Written before section 20: its item fields and FEED's document lines came later.
            let version = Int(name.dropFirst("golden-v".count).prefix { $0.isNumber })!
            let beforeSection20 = version < 9
            for (prefix, field) in GoldenAnswersTests.section20Lines where beforeSection20 && query.hasPrefix(prefix) {
                reply.data = reply.data.map { GoldenAnswersTests.drop(field, from: $0) }
            }
            // Written before section 21: SHOW's decisions and FEED's per-decision lines came later.
            if version < 10 {
                reply.data.removeAll { $0.hasPrefix("* disposed ") || $0.contains(" type=disposition.line ") }
            }
            let feedFields = (version < 10 ? GoldenAnswersTests.section21Feed : []) + (version < 11 ? GoldenAnswersTests.section22Feed : [])
            if query.hasPrefix("FEED") {
                reply.data = reply.data.map { line in
                    var line = line
                    for (type, fields) in feedFields where line.contains(" type=\(type) ") {
                        for field in fields { line = GoldenAnswersTests.drop(field, from: line) }
                    }
                    return line
                }
            }
            if query.hasPrefix("FEED") {
                if beforeSection20 { reply.data.removeAll { $0.contains(" type=doc.issued ") || $0.contains(" type=doc.item ") } }
                // FEED's next= also counts the answering session's own login record: off both sides.
                reply.status = GoldenAnswersTests.drop("next", from: reply.status)
                lines = lines.map { $0.hasPrefix("OK ") ? GoldenAnswersTests.drop("next", from: $0) : $0 }
            }
            // The newest page also lists the answering session's login (a page from `after=` does not).
            if query.hasPrefix("AUDIT"), !query.contains("after="), let login = reply.data.popLast() {
                #expect(login.contains("command=AUTH target=admin outcome=ok"), "\(login)")
                reply.status = reply.status.replacingOccurrences(of: "count=\(reply.data.count + 1)", with: "count=\(reply.data.count)")
                // A full page (golden-v14's trail is longer than it): that login pushed the oldest off.
                if lines.count == reply.data.count + 2, Array(lines.dropLast().dropFirst()) == reply.data {
                    lines.removeFirst()
                    lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(of: "count=\(lines.count)", with: "count=\(lines.count - 1)")
                }
            }
            var actual = reply.data + [reply.status]
            if query.hasPrefix("BALANCE ") {
                // BALANCE orders an account's lines by (at, log sequence): a back-dated sale
                // moves up, with the running balances after it. The same entries, the same total.
                let entries = { (lines: [String]) in
                    lines.dropLast().map { GoldenAnswersTests.drop("balance", from: $0) }.sorted() + [lines.last ?? ""]
                }
                actual = entries(actual)
                lines = entries(lines)
            }
            #expect(actual == lines, "\(name): \(query)")
            compared += 1
        }
        #expect(compared == expected.components(separatedBy: "\n> ").count - 1)

        // A change after the upgrade is logged in the new format and survives a restart.
        let clerk = try server.login("clerk1")
        let filed = try clerk.call("RETURN S-G2a A100:1 reason=DEFECTIVE key=after-upgrade")
        if filed.code == "CLOSED" {
            // A golden-v13 to v16 closed (and archived) the day it was written: on that day
            // only, a change no business date holds instead.
            #expect(["golden-v13", "golden-v14", "golden-v15", "golden-v16"].contains { name.hasPrefix($0) }, "\(filed)")
            #expect(try server.login("admin", password: "golden-admin").call("SKU ADD AFTER1 name=after price=1.00 cost=0.50").ok)
            server = try server.restart()
            #expect(try server.login("clerk1").call("SKU LIST").data.contains { $0.contains("sku=AFTER1 ") })
            return
        }
        #expect(filed.ok, "\(filed)")
        server = try server.restart()
        let again = try server.login("clerk1")
        let shown = try again.call("SHOW \(filed["id"] ?? "?")")
        #expect(shown.ok && shown.status.contains("state=pending"), "\(shown)")
    }
}
