import Foundation
import ReturnLedgerCore
@testable import ReturnLedgerStorage
import Testing

/// Archives on a REPLICATE link (protocol.md, A warm standby): the primary finds the records that
/// commit one without decoding the others, sends a file only while it holds its checksum, and the
/// standby puts one in place only whole, as ARCHIVE does (`NAME.tmp`, then `NAME.rla`).
@Suite struct ArchiveTransferTests {
    static func framed(_ entry: LogEntry) -> [UInt8] {
        var w = ByteWriter()
        LogRecord.append(entry, seq: 9, to: &w)
        return w.bytes
    }

    /// One archive written in a new folder: the folder and the entry its commit would carry.
    static func oneArchive() throws -> (TempDirectory, ArchiveEntry) {
        let folder = TempDirectory()
        let ledger = try BackupTests.archived(1, in: folder.path)
        return (folder, try #require(ledger.archives.first))
    }

    @Test func onlyARecordCommittingAnArchiveNamesIt() throws {
        for entry in everyKindEntries() {
            #expect(Self.framed(entry).withUnsafeBytes { LogRecord.archivesWritten($0) }.isEmpty, "\(entry.events.map(\.tag))")
        }
        let (_, archive) = try Self.oneArchive()
        for actor in ["admin", "", String(repeating: "a", count: 300)] {
            let record = Self.framed(LogEntry(at: Timestamp(seconds: 1_796_000_001), actor: actor, events: [.archiveWritten(archive)]))
            #expect(record.withUnsafeBytes { LogRecord.archivesWritten($0) } == [archive])
            // Damaged: not taken for one (the standby refuses the record itself).
            var damaged = record
            damaged[damaged.count - 1] ^= 1
            #expect(damaged.withUnsafeBytes { LogRecord.archivesWritten($0) }.isEmpty)
        }
    }

    @Test func anArchiveGoesWholeIntoTheOtherFolder() throws {
        let (source, archive) = try Self.oneArchive()
        let target = TempDirectory()
        let fs = PosixFileSystem()
        let outgoing = try OutgoingArchive(archive, in: source.path, fs: fs)
        let incoming = try IncomingArchive(name: archive.name, size: outgoing.size, checksum: archive.checksum, in: target.path, fs: fs)
        var whole = false
        while !outgoing.done {
            #expect(!whole)
            whole = try incoming.take(try outgoing.next(max: 1000))
            // Until it is whole, only its temporary file is there, named as ARCHIVE names it.
            if !whole { #expect(try fs.list(target.path) == ["\(archive.name).tmp"]) }
        }
        #expect(whole)
        #expect(try fs.list(target.path) == [ArchiveFile.fileName(archive.name)])
        #expect(try fs.readFile(target.path + "/" + ArchiveFile.fileName(archive.name))
                == fs.readFile(source.path + "/" + ArchiveFile.fileName(archive.name)))
    }

    @Test func aDamagedOrMissingArchiveIsNotSentAndNotTaken() throws {
        let (source, archive) = try Self.oneArchive()
        let fs = PosixFileSystem()
        let path = source.path + "/" + ArchiveFile.fileName(archive.name)
        let good = try fs.readFile(path)
        var flipped = good
        flipped[flipped.count / 3] ^= 0x40  // inside a block: the trailer and directory read fine
        try Data(flipped).write(to: URL(fileURLWithPath: path))
        // The primary finds it with the last bytes, before anything after the archive goes.
        let outgoing = try OutgoingArchive(archive, in: source.path, fs: fs)
        var failure: StorageError?
        do {
            while !outgoing.done { _ = try outgoing.next(max: 1000) }
        } catch {
            failure = error
        }
        #expect(failure?.message.contains("archive \(archive.name) is damaged") == true, "\(String(describing: failure))")
        // The standby, given those bytes, keeps nothing.
        let target = TempDirectory()
        let incoming = try IncomingArchive(name: archive.name, size: flipped.count, checksum: archive.checksum, in: target.path, fs: fs)
        #expect(throws: IncomingArchive.Failure.self) { _ = try incoming.take(flipped) }
        #expect(try fs.list(target.path).isEmpty)
        // The good bytes under another checksum than announced: refused too.
        let other = try IncomingArchive(name: archive.name, size: good.count, checksum: archive.checksum ^ 1, in: target.path, fs: fs)
        #expect(throws: IncomingArchive.Failure.self) { _ = try other.take(good) }
        #expect(try fs.list(target.path).isEmpty)
        // More bytes than announced, a name that is not an archive's.
        let short = try IncomingArchive(name: archive.name, size: 10, checksum: archive.checksum, in: target.path, fs: fs)
        #expect(throws: IncomingArchive.Failure.self) { _ = try short.take(good) }
        #expect(throws: IncomingArchive.Failure.self) {
            _ = try IncomingArchive(name: "../archive-20261130-0001", size: 10, checksum: 0, in: target.path, fs: fs)
        }
        #expect(try fs.list(target.path).isEmpty)
        // Missing on the primary: named.
        try fs.remove(path)
        #expect(throws: StorageError.self) { _ = try OutgoingArchive(archive, in: source.path, fs: fs) }
        do { _ = try OutgoingArchive(archive, in: source.path, fs: fs) } catch { #expect(error.message.contains("is missing")) }
    }
}
