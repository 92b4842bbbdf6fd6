import Dispatch
@testable import ReturnLedgerCore
import Testing
import TestSupport

/// The audit trail kept as compact rows with its words numbered: read back exactly as appended,
/// equal across differently numbered trails, and readable from a copy while the writer appends.
@Suite struct AuditLogTests {
    static func entries(_ n: Int, seed: UInt64) -> [AuditEntry] {
        var random = SeededGenerator(seed: seed)
        let users = ["admin", "clerk1", "sup1", "店员", ""], peers = (0..<40).map { "10.0.0.\($0 % 7):\(40_000 + $0)" } + ["[::1]:5"]
        let commands = ["RETURN", "APPROVE", "AUTH", "VOID", "SEED"], outcomes = ["ok", "STATE", "DENIED", "NOT_FOUND"]
        return (0..<n).map { i in
            AuditEntry(seq: i + 1, at: Timestamp(seconds: Int64(1_000 + i)), user: users.randomElement(using: &random)!,
                       peer: peers.randomElement(using: &random)!, command: commands.randomElement(using: &random)!,
                       target: "R\(Int.random(in: 1...999_999, using: &random))", outcome: outcomes.randomElement(using: &random)!)
        }
    }

    @Test func readsBackWhatWasAppended() {
        let seed = testSeed("AuditLogTests")
        let all = Self.entries(3_000, seed: seed)
        let log = AuditLog(all)
        #expect(log.count == all.count && Array(log) == all, "seed \(seed)")
        #expect(log.last == all.last && log[1_234] == all[1_234])
        #expect(MemoryLayout<AuditLog.Row>.stride <= 48)
        // A trail whose words were numbered in another order (other words came first): equal
        // entry for entry, though its rows hold other numbers.
        let others = AuditLog(Self.entries(50, seed: seed &+ 1) + [AuditEntry(seq: 1, at: Timestamp(seconds: 1), user: "zed",
                                                                                peer: "z", command: "Z", target: "", outcome: "z")])
        var renumbered = AuditLog(sharingWordsOf: others)
        for entry in all { renumbered.append(entry) }
        #expect(renumbered == log && Array(renumbered) == all)
        #expect(zip(renumbered.rows, log.rows).contains { $0.user != $1.user || $0.peer != $1.peer || $0.command != $1.command })
        #expect(renumbered != others && AuditLog(all.dropFirst()) != log)
        var changed = AuditLog(all.dropLast())
        changed.append(AuditEntry(seq: all.last!.seq, at: all.last!.at, user: all.last!.user, peer: all.last!.peer,
                                  command: all.last!.command, target: all.last!.target, outcome: "CONFLICT"))
        #expect(changed != log)
    }

    /// A snapshot reads its copy on another thread while the writer appends new words.
    @Test func aCopyIsReadWhileTheWriterAppends() async {
        let seed = testSeed("AuditLogTests.concurrent")
        let all = Self.entries(20_000, seed: seed)
        let copy = AuditLog(all.prefix(10_000))
        let expected = Array(all.prefix(10_000))
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { Array(copy) == expected }
            group.addTask {
                var log = copy  // the writer's: shares the words with the copy being read
                for (i, entry) in all.suffix(10_000).enumerated() {
                    // New words too: the table grows while the copy is read.
                    log.append(AuditEntry(seq: entry.seq, at: entry.at, user: "u\(i)", peer: entry.peer, command: entry.command,
                                          target: entry.target, outcome: entry.outcome))
                }
                return log.count == 20_000 && log[19_999].user == "u9999"
            }
            for await ok in group { #expect(ok, "seed \(seed)") }
        }
    }
}
