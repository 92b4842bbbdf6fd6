public import ReturnLedgerCore

/// An archive file (protocol.md, Years of history): closed history moved out of memory, written
/// once, never rewritten, and read a record at a time.
///
/// ```
/// "RLARC001" │ header block │ record blocks … │ index blocks … │ filter block │ directory block │ trailer
/// block:   length u32 │ crc u32 (CRC-32C of the payload) │ payload
/// trailer: directory offset u64 │ directory length u32 │ checksum u32 │ "RLARCEND"
/// ```
/// The header names the format the records are encoded in (the snapshots' versioned encoding),
/// the epoch, the date the archive runs through, its number, when its state copy was taken and
/// what it holds. Each index (`ArchiveIndex`) is a sorted run of keys cut into blocks of 128,
/// each key with the records (offset and length) it finds; the directory holds each block's
/// first key (the index summary, kept in memory), the records' span and the filter. The
/// checksum is the CRC-32C of every byte before the trailer: the archive's `checksum=`.
///
/// Finding a record costs two preads, an index block and the record; each is checked against
/// its own CRC, so damage anywhere is reported naming the file and the offset of the block.
public enum ArchiveFile {
    static let magic: [UInt8] = Array("RLARC001".utf8)
    static let endMagic: [UInt8] = Array("RLARCEND".utf8)
    static let trailerSize = 24
    static let keysPerIndexBlock = 128
    static let blockHeaderSize = 8

    /// `archive-<yyyymmdd>-<nnnn>` (section 23: nnnn counts every archive written, from 0001).
    public static func name(through: CivilDate, number: Int) -> String {
        ArchiveEntry.name(through: through, number: number)
    }

    public static func fileName(_ name: String) -> String { name + ".rla" }

    /// What a written archive is: its size and checksum, and what it holds.
    public struct Written: Sendable, Equatable {
        public var bytes: Int
        public var checksum: UInt32
        public var header: ArchiveHeader
    }

    /// Writes `records` as `NAME.rla` in `directory`: through `NAME.tmp` (section 23), fsynced, renamed,
    /// the directory fsynced (a crash leaves the whole file or none). The header's counts and
    /// return id range are worked out from the records.
    public static func write(_ records: [ArchiveRecord], header: ArchiveHeader, name: String, in directory: String,
                             fs: any FileSystem) throws(StorageError) -> Written {
        var header = header
        header.counts = ArchiveCounts()
        header.returns = nil
        for record in records {
            record.count(into: &header.counts)
            if case .returned(let r, _) = record {
                header.returns = header.returns.map { min($0.lowerBound, r.number)...max($0.upperBound, r.number) } ?? r.number...r.number
            }
        }
        let finalHeader = header
        return try DurableFile.write(fileName(name), in: directory, fs: fs, temporary: name + ".tmp") { fd throws(StorageError) -> Written in
            var sink = BlockSink(fd: fd, fs: fs)
            try sink.raw(magic)
            var encoder = ByteWriter(capacity: 1 << 12)
            finalHeader.write(to: &encoder)
            _ = try sink.block(encoder.bytes)
            // The records, each its own block; the keys that find each, and the client's keys.
            var entries: [ArchiveIndex: [(key: String, ref: BlockRef)]] = [:]
            var clientKeys: [String] = []
            let recordsStart = sink.offset
            for record in records {
                encoder.bytes.removeAll(keepingCapacity: true)
                record.write(to: &encoder)
                let ref = try sink.block(encoder.bytes)
                for (index, key) in record.keys { entries[index, default: []].append((key, ref)) }
                clientKeys += record.clientKeys
            }
            let recordsEnd = sink.offset
            // Each index: its keys sorted (a key's records in file order), cut into blocks.
            var summaries: [(ArchiveIndex, [IndexSummary])] = []
            for index in ArchiveIndex.allCases {
                guard let list = entries[index], !list.isEmpty else { continue }
                let sorted = list.enumerated().sorted { a, b in
                    a.element.key != b.element.key ? a.element.key.utf8.lexicographicallyPrecedes(b.element.key.utf8) : a.offset < b.offset
                }.map(\.element)
                var groups: [(key: String, refs: [BlockRef])] = []
                for entry in sorted {
                    if let last = groups.last?.key, last.utf8.elementsEqual(entry.key.utf8) { groups[groups.count - 1].refs.append(entry.ref) } else { groups.append((entry.key, [entry.ref])) }
                }
                var blocks: [IndexSummary] = []
                var start = 0
                while start < groups.count {
                    let slice = groups[start..<min(start + keysPerIndexBlock, groups.count)]
                    encoder.bytes.removeAll(keepingCapacity: true)
                    encoder.u32(UInt32(slice.count))
                    for group in slice {
                        encoder.string(group.key)
                        encoder.u32(UInt32(group.refs.count))
                        for ref in group.refs { ref.write(to: &encoder) }
                    }
                    blocks.append(IndexSummary(firstKey: slice.first!.key, block: try sink.block(encoder.bytes)))
                    start += keysPerIndexBlock
                }
                summaries.append((index, blocks))
            }
            var filter = MembershipFilter(expected: clientKeys.count)
            for key in clientKeys { filter.insert(key) }
            encoder.bytes.removeAll(keepingCapacity: true)
            filter.write(to: &encoder)
            let filterRef = try sink.block(encoder.bytes)
            // The directory: the records' span, the filter, each index's summary.
            encoder.bytes.removeAll(keepingCapacity: true)
            encoder.u64(UInt64(recordsStart))
            encoder.u64(UInt64(recordsEnd))
            filterRef.write(to: &encoder)
            encoder.u32(UInt32(summaries.count))
            for (index, blocks) in summaries {
                encoder.u8(index.rawValue)
                encoder.u32(UInt32(blocks.count))
                for summary in blocks {
                    encoder.string(summary.firstKey)
                    summary.block.write(to: &encoder)
                }
            }
            let directory = try sink.block(encoder.bytes)
            var trailer = ByteWriter(capacity: trailerSize)
            trailer.u64(UInt64(directory.offset))
            trailer.u32(UInt32(directory.length))
            let checksum = sink.crc
            trailer.u32(checksum)
            trailer.bytes += endMagic
            try sink.raw(trailer.bytes)
            try sink.flush()
            return Written(bytes: sink.offset, checksum: checksum, header: finalHeader)
        }
    }
}

/// Where a block is: its first byte (its length field) and its whole size, header included.
struct BlockRef: Sendable, Equatable {
    var offset: Int
    var length: Int

    func write(to w: inout ByteWriter) { w.u64(UInt64(offset)); w.u32(UInt32(length)) }
    init(offset: Int, length: Int) { self.offset = offset; self.length = length }
    init(from r: inout ByteReader) throws(CodecError) {
        let offset = try r.u64(), length = try r.u32()
        guard offset < UInt64(Int.max / 2) else { throw CodecError("block offset out of range") }
        self.init(offset: Int(offset), length: Int(length))
    }
}

/// One index block in the summary: the first key it holds.
struct IndexSummary: Sendable {
    var firstKey: String
    var block: BlockRef
}

/// The archive's header (what ARCHIVE LIST and INFO say of it).
public struct ArchiveHeader: Sendable, Equatable {
    /// The encoding its records are written in.
    public var format: Format
    public var epoch: String
    /// Every record in it was finished by this business date.
    public var through: CivilDate
    /// Its place among every archive written (nnnn in its name).
    public var number: Int
    /// When the state copy it was written from was taken (section 23's T).
    public var takenAt: Timestamp
    public var counts = ArchiveCounts()
    /// The lowest and highest return number in it (nil: none): only archives whose range holds
    /// a number are consulted for it.
    public var returns: ClosedRange<Int>?

    public init(format: Format = .current, epoch: String, through: CivilDate, number: Int, takenAt: Timestamp) {
        self.format = format; self.epoch = epoch; self.through = through; self.number = number; self.takenAt = takenAt
    }

    func write(to w: inout ByteWriter) {
        w.u8(format.rawValue)
        w.string(epoch)
        w.i64(through.daysSinceEpoch)
        w.int(number)
        w.write(takenAt)
        for n in [counts.returns, counts.documents, counts.orders, counts.entries, counts.notices, counts.audit, counts.other] { w.int(n) }
        w.int(returns?.lowerBound ?? 0)
        w.int(returns?.upperBound ?? 0)
    }

    init(from r: inout ByteReader) throws(CodecError) {
        let raw = try r.u8()
        guard let format = Format.readable(raw) else {
            throw CodecError("archive of format \(raw), which this version cannot read (written by a newer one?)")
        }
        let epoch = try r.string(), days = try r.i64()
        // Checked before the calendar arithmetic: a crafted header must throw, not trap.
        guard (-1_000_000_000...1_000_000_000).contains(days) else { throw CodecError("archive date \(days) out of range") }
        self.init(format: format, epoch: epoch, through: CivilDate(daysSinceEpoch: days), number: try r.int(), takenAt: try r.read())
        var figures: [Int] = []
        for _ in 0..<7 {
            let n = try r.int()
            guard n >= 0 else { throw CodecError("archive count \(n)") }
            figures.append(n)
        }
        counts.returns = figures[0]; counts.documents = figures[1]; counts.orders = figures[2]
        counts.entries = figures[3]; counts.notices = figures[4]; counts.audit = figures[5]; counts.other = figures[6]
        let first = try r.int(), last = try r.int()
        guard (first == 0 && last == 0) || (1 <= first && first <= last) else {
            throw CodecError("archive return range \(first)...\(last)")
        }
        returns = first == 0 ? nil : first...last
    }
}

/// Streams an archive's bytes to its file a megabyte at a time, keeping the offset and the
/// running CRC-32C of everything written.
private struct BlockSink {
    let fd: Int32
    let fs: any FileSystem
    var buffer = ByteWriter(capacity: 1 << 20)
    private(set) var offset = 0
    private(set) var crc: UInt32 = 0

    init(fd: Int32, fs: any FileSystem) { self.fd = fd; self.fs = fs }

    mutating func raw(_ bytes: [UInt8]) throws(StorageError) {
        crc = CRC32C.checksum(bytes, seed: crc)
        buffer.bytes += bytes
        offset += bytes.count
        if buffer.bytes.count >= 1 << 20 { try flush() }
    }

    /// A block around `payload`: its length, its CRC, the payload.
    mutating func block(_ payload: [UInt8]) throws(StorageError) -> BlockRef {
        let start = offset
        var head = ByteWriter(capacity: ArchiveFile.blockHeaderSize)
        head.u32(UInt32(payload.count))
        head.u32(CRC32C.checksum(payload))
        try raw(head.bytes)
        try raw(payload)
        return BlockRef(offset: start, length: offset - start)
    }

    mutating func flush() throws(StorageError) {
        guard !buffer.bytes.isEmpty else { return }
        try fs.write(fd, bytes: buffer.bytes)
        buffer.bytes.removeAll(keepingCapacity: true)
    }
}

/// A Bloom filter of an archive's client-chosen ids and keys, about 10 bits a key and 7 probes
/// (under 1% false positives): a RETURN's `key=` or a SALE's id is looked for only in the
/// archives whose filter admits it. Hashed with FNV-1a, the same in every process (Swift's
/// `Hasher` is seeded anew each run).
struct MembershipFilter: Sendable, Equatable {
    private(set) var words: [UInt64]
    let probes: Int

    init(expected: Int) {
        words = [UInt64](repeating: 0, count: max(1, (expected * 10 + 63) / 64))
        probes = 7
    }

    private static func hashes(_ key: String) -> (UInt64, UInt64) {
        let h = FNV1a.hash(key)
        var z = h &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (h, (z ^ (z >> 31)) | 1)
    }

    private func bits(_ key: String) -> [Int] {
        let (a, b) = Self.hashes(key)
        let m = UInt64(words.count * 64)
        return (0..<probes).map { Int((a &+ UInt64($0) &* b) % m) }
    }

    mutating func insert(_ key: String) {
        for bit in bits(key) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    func mayContain(_ key: String) -> Bool {
        bits(key).allSatisfy { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    var heldBytes: Int { words.count * 8 }

    func write(to w: inout ByteWriter) {
        w.u8(UInt8(probes))
        w.u32(UInt32(words.count))
        for word in words { w.u64(word) }
    }

    init(from r: inout ByteReader) throws(CodecError) {
        probes = Int(try r.u8())
        let count = Int(try r.u32())
        guard probes > 0, count > 0, count * 8 <= r.remaining else { throw CodecError("archive filter of \(count) words") }
        var words: [UInt64] = []
        words.reserveCapacity(count)
        for _ in 0..<count { words.append(try r.u64()) }
        self.words = words
    }
}
