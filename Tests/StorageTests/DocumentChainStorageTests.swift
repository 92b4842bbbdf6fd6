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
        Self.resealRecord(containing: hits[1], in: &bytes)
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

    /// Walks the segment's records (after its magic) to the one holding `offset` and writes its
    /// CRC-32C again over length, sequence and payload.
    static func resealRecord(containing offset: Int, in bytes: inout [UInt8]) {
        var start = LogRecord.magic.count
        while start < bytes.count {
            let length = Int(bytes[start]) | Int(bytes[start + 1]) << 8 | Int(bytes[start + 2]) << 16 | Int(bytes[start + 3]) << 24
            let end = start + LogRecord.headerSize + length
            if offset < end {
                let crc = CRC32C.checksum(Array(bytes[(start + LogRecord.headerSize)..<end]),
                                          seed: CRC32C.checksum(Array(bytes[start..<(start + 12)])))
                withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[start + 12 + i] = $0[i] } }
                return
            }
            start = end
        }
        Issue.record("no record holds offset \(offset)")
    }
}
