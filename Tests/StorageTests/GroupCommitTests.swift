import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    @Test func waitersAreReleasedOnceDurableAndFsyncsAreShared() throws {
        let dir = TempDirectory()
        let fs = FaultInjectingFileSystem()
        let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        let released = Mutex<[UInt64]>([])
        let done = DispatchGroup()
        for entry in sampleEntries(count: 500) {
            let seq = try log.append(entry)
            done.enter()
            log.whenDurable(seq) { ok in
                #expect(ok)
                #expect(log.isDurable(seq))
                released.withLock { $0.append(seq) }
                done.leave()
            }
        }
        done.wait()
        #expect(released.withLock { $0.count } == 500)
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
        for entry in entries.dropFirst() {
            let seq = try log.append(entry)
            done.enter()
            log.whenDurable(seq) { ok in
                #expect(ok)
                done.leave()
            }
        }
        #expect(held.withLock { $0.count } == 1)  // asked once, while idle
        #expect(!log.isDurable(2))
        for start in held.withLock({ $0 }) { start() }
        done.wait()
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
        fs.failSyncs(true)
        let seq = try log.append(entries[1])
        let outcome = Mutex<Bool?>(nil)
        let done = DispatchSemaphore(value: 0)
        log.whenDurable(seq) { ok in outcome.withLock { $0 = ok }; done.signal() }
        done.wait()
        #expect(outcome.withLock { $0 } == false)
        #expect(log.failure != nil)
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
        done.wait()
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
