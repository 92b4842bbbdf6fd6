import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// A document altered by hand in the data directory, with its record's checksum fixed so that
/// start-up takes it: replay keeps the stored hash, and VERIFY finds the document.
@Suite struct DocumentChainStorageTests {
    @Test func aDocumentAlteredInTheLogIsFoundByVerify() throws {
        let dir = TempDirectory()
        let entries = sampleEntries(count: 40)
        _ = try writeLog(entries, to: dir)
        let clean = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: false)
        let verified = try clean.ledger.verifyReply(from: nil)
        let documents = clean.ledger.returns.filter { !$0.doc.isEmpty }.count
        #expect(documents >= 5 && verified.status.first == Field("count", String(documents)))

        // The second return's reason, in its filing's record, becomes another of the same length.
        let path = dir.directory.file(DataDirectory.walName(1))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let defective = Array("DEFECTIVE".utf8)
        let hits = (0...(bytes.count - defective.count)).filter { Array(bytes[$0..<($0 + defective.count)]) == defective }
        #expect(hits.count >= 2)
        bytes.replaceSubrange(hits[1]..<(hits[1] + defective.count), with: Array("WRONGSIZE".utf8))
        #expect(LogRecord.reseal(recordHolding: hits[1], in: &bytes))
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let altered = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: false)
        #expect(altered.lastSeq == clean.lastSeq)
        let second = altered.ledger.returns[1]
        #expect(second.reason == "WRONGSIZE" && second.docHash == clean.ledger.returns[1].docHash)
        #expect {
            try altered.ledger.verifyReply(from: nil)
        } throws: { error in
            let error = error as? DomainError
            return error?.code == .CHAIN && error?.message.hasPrefix(second.doc + " ") == true
        }
        // The documents after it still check against their stored links.
        let third = altered.ledger.returns[2].doc
        #expect(try altered.ledger.verifyReply(from: third).status.first == Field("count", String(documents - 2)))
    }
}
