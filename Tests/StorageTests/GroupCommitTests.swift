import Dispatch
import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    @Test func waitersAreReleasedOnceDurableAndFsyncsAreShared() throws {
        let dir = TempDirectory()
        let fs = FaultInjectingFileSystem()
        let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        // What the callbacks saw, checked here: an #expect on the flusher's thread would be
        // reported against no test.
        let released = Mutex<[(seq: UInt64, ok: Bool, durable: Bool)]>([])
        let reports = Mutex<[UInt64]>([])
        log.onDurable = { seq, failed in if !failed { reports.withLock { $0.append(seq) } } }
        let done = DispatchGroup()
        for entry in sampleEntries(count: 500) {
            let seq = try log.append(entry)
            done.enter()
            log.whenDurable(seq) { ok in
                released.withLock { $0.append((seq, ok, log.isDurable(seq))) }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(released.withLock { $0.count } == 500)
        #expect(released.withLock { $0.allSatisfy { $0.ok && $0.durable } })
        // One "durable up to N" report per advance, rising, ending at the last record. The log
        // releases waiters before it reports the advance: the last report may still be on its way.
        let deadline = Date().addingTimeInterval(30)
        while reports.withLock({ $0.last }) != 500, Date() < deadline { usleep(1000) }
        let seen = reports.withLock { $0 }
        #expect(seen.last == 500)
        #expect(seen == seen.sorted() && Set(seen).count == seen.count)
        #expect(seen.count <= fs.counters.syncs)
        #expect(log.status.durableSeq == 500)
        // 500 appends without waiting in between: far fewer fdatasyncs than records.
        #expect(fs.counters.syncs < 250)
    }

    /// The server starts the flusher when its loop round ends: every record appended before then
    /// goes out in one write and one fdatasync, and nothing is released before it.
    @Test func aDeferredStartCoversEveryRecordAppendedBeforeIt() throws {
        let dir = TempDirectory()
        let fs = FaultInjectingFileSystem()
        let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        let entries = sampleEntries(count: 21)
        try log.append(entries[0])
        log.flush()  // the segment exists: its creation's fsyncs are not counted below
        let held = Mutex<[@Sendable () -> Void]>([])
        log.startFlusher = { start in held.withLock { $0.append(start) } }
        let before = fs.counters.syncs
        let done = DispatchGroup()
        let failures = Mutex(0)
        for entry in entries.dropFirst() {
            let seq = try log.append(entry)
            done.enter()
            log.whenDurable(seq) { ok in
                if !ok { failures.withLock { $0 += 1 } }
                done.leave()
            }
        }
        #expect(held.withLock { $0.count } == 1)  // asked once, while idle
        #expect(!log.isDurable(2))
        for start in held.withLock({ $0 }) { start() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(failures.withLock { $0 } == 0)
        #expect(log.status.durableSeq == 21)
        #expect(fs.counters.syncs - before == 1)
    }

    @Test func aFailedFsyncFailsTheWaitersAndRefusesMore() throws {
        let dir = TempDirectory()
        let fs = FaultInjectingFileSystem()
        let entries = sampleEntries(count: 10)
        let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        try log.append(entries[0])
        log.flush()
        let reported = Mutex<(UInt64, Bool)?>(nil)
        log.onDurable = { seq, failed in reported.withLock { $0 = (seq, failed) } }
        fs.failSyncs(true)
        let seq = try log.append(entries[1])
        let outcome = Mutex<Bool?>(nil)
        let done = DispatchSemaphore(value: 0)
        log.whenDurable(seq) { ok in outcome.withLock { $0 = ok }; done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.withLock { $0 } == false)
        #expect(log.failure != nil)
        #expect(reported.withLock { $0.map { $0.0 == 1 && $0.1 } } == true)  // failed, durable up to 1
        #expect(throws: StorageError.self) { try log.append(entries[2]) }
        #expect(log.isDurable(1))
        #expect(!log.isDurable(2))
    }

    @Test func aFullDiskFailsTheWrite() throws {
        let dir = TempDirectory()
        let fs = FaultInjectingFileSystem()
        let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        fs.failWrites(true)
        let seq = try log.append(sampleEntries(count: 1)[0])
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Bool?>(nil)
        log.whenDurable(seq) { ok in outcome.withLock { $0 = ok }; done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.withLock { $0 } == false)
        #expect(log.failure?.message.contains("No space") == true)
    }

    @Test func everysecAndNoDoNotFsyncPerWrite() throws {
        for policy in [FsyncPolicy.everysec, .no] {
            let dir = TempDirectory()
            let fs = FaultInjectingFileSystem()
            let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: policy, lastSeq: 0, segment: nil)
            let before = fs.counters.syncs
            for entry in sampleEntries(count: 50) { try log.append(entry) }
            log.flush()
            let syncs = fs.counters.syncs - before
            #expect(syncs <= 4, "\(policy): \(syncs) syncs")  // segment creation and the final flush only
            let recovered = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: true)
            #expect(recovered.lastSeq == 50)
        }
    }
}
