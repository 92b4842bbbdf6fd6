import ReturnLedgerCore

/// An archive that cannot be read as written: missing, cut short, or a byte changed. It names the
/// file and the offset of what failed its check (section 23: `ERR ARCHIVE` naming file and offset).
public struct ArchiveDamage: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    public var reason: String
    public var missing: Bool

    init(_ file: String, at offset: Int, _ reason: String, missing: Bool = false) {
        self.file = file; self.offset = offset; self.reason = reason; self.missing = missing
    }

    public var description: String {
        missing ? "archive \(file) is missing" : "archive \(file) damaged at offset \(offset): \(reason)"
    }
}

/// An archive opened for reading: its header, the index summaries and the filter in memory
/// (checked when opened: section 23's start-up check), records read on demand.
public final class ArchiveReader: Sendable {
    public let path: String
    public let header: ArchiveHeader
    /// The CRC-32C of every byte before the trailer.
    public let checksum: UInt32
    /// As ARCHIVE LIST prints it: 8 hex digits.
    public var checksumText: String { ArchiveEntry.hex(checksum) }
    public let size: Int
    private let summaries: [ArchiveIndex: [IndexSummary]]
    private let filter: MembershipFilter
    private let records: Range<Int>
    private let directory: BlockRef
    private let fs: any FileSystem

    /// Reads and checks the trailer, the directory, the header and the filter.
    public init(path: String, fs: any FileSystem) throws(ArchiveDamage) {
        self.path = path
        self.fs = fs
        let size: Int
        do throws(StorageError) { size = try fs.readFileSize(path) } catch {
            // Missing only when its folder does not list it; else it could not be read (EIO, EACCES).
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { String(path[..<$0]) } ?? "."
            let file = slash.map { String(path[path.index(after: $0)...]) } ?? path
            let listed = (try? fs.list(folder))?.contains(file) ?? false
            throw ArchiveDamage(path, at: 0, error.message, missing: !listed)
        }
        self.size = size
        let minimum = ArchiveFile.magic.count + ArchiveFile.trailerSize
        guard size >= minimum else { throw ArchiveDamage(path, at: 0, "\(size) bytes: cut short") }
        let head = try Self.read(path, fs, 0, ArchiveFile.magic.count)
        guard head == ArchiveFile.magic else { throw ArchiveDamage(path, at: 0, "not an archive (magic)") }
        let trailerOffset = size - ArchiveFile.trailerSize
        let trailer = try Self.read(path, fs, trailerOffset, ArchiveFile.trailerSize)
        guard Array(trailer[16...]) == ArchiveFile.endMagic else { throw ArchiveDamage(path, at: trailerOffset + 16, "trailer magic") }
        let (directory, checksum): (BlockRef, UInt32) = try Self.decode(path, at: trailerOffset, trailer) { r throws(CodecError) in
            let offset = try r.u64(), length = try r.u32()
            // The trailer has no checksum of its own: a flipped high bit must not overflow below.
            guard offset <= UInt64(trailerOffset) else { throw CodecError("directory offset \(offset) past the trailer") }
            return (BlockRef(offset: Int(offset), length: Int(length)), try r.u32())
        }
        guard directory.offset >= minimum - ArchiveFile.trailerSize, directory.length <= trailerOffset - directory.offset,
              directory.offset + directory.length == trailerOffset else {
            throw ArchiveDamage(path, at: trailerOffset, "directory at \(directory.offset)+\(directory.length) does not end at the trailer")
        }
        self.directory = directory
        self.checksum = checksum
        let directoryBytes = try Self.block(path, fs, directory, fileSize: size)
        let (records, filterRef, summaries): (Range<Int>, BlockRef, [ArchiveIndex: [IndexSummary]]) =
            try Self.decode(path, at: directory.offset, directoryBytes) { r throws(CodecError) in
                let start = Int(clamping: try r.u64()), end = Int(clamping: try r.u64())
                guard start <= end, end <= directory.offset else { throw CodecError("records span \(start)..<\(end)") }
                let filter = try BlockRef(from: &r)
                var summaries: [ArchiveIndex: [IndexSummary]] = [:]
                for _ in 0..<(try r.u32()) {
                    let raw = try r.u8()
                    guard let index = ArchiveIndex(rawValue: raw) else { throw CodecError("unknown index \(raw)") }
                    var blocks: [IndexSummary] = []
                    for _ in 0..<(try r.u32()) { blocks.append(IndexSummary(firstKey: try r.string(), block: try BlockRef(from: &r))) }
                    summaries[index] = blocks
                }
                return (start..<end, filter, summaries)
            }
        self.records = records
        self.summaries = summaries
        let headerRef = BlockRef(offset: ArchiveFile.magic.count, length: records.lowerBound - ArchiveFile.magic.count)
        let headerBytes = try Self.block(path, fs, headerRef, fileSize: size)
        header = try Self.decode(path, at: headerRef.offset, headerBytes) { r throws(CodecError) in try ArchiveHeader(from: &r) }
        let filterBytes = try Self.block(path, fs, filterRef, fileSize: size)
        filter = try Self.decode(path, at: filterRef.offset, filterBytes) { r throws(CodecError) in try MembershipFilter(from: &r) }
    }

    /// The name ARCHIVE LIST shows: the file's, without `.rla`.
    public var name: String {
        let file = String(path.split(separator: "/").last ?? "")
        return file.hasSuffix(".rla") ? String(file.dropLast(4)) : file
    }

    /// What this archive keeps in memory (INFO's `archive_held_bytes` counts it): the index
    /// summaries' keys and the filter.
    public var heldBytes: Int {
        filter.heldBytes + summaries.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.firstKey.utf8.count + 24 } }
    }

    /// False when this archive surely holds no record with that client-chosen key
    /// (`key:` + a RETURN's or move's `key=`, `order:` + a SALE's or PURCHASE's id,
    /// `transfer:` + a TRANSFER's id).
    public func mayHold(clientKey: String) -> Bool { filter.mayContain(clientKey) }

    /// The records `key` finds in `index`, in file order (none: an empty list).
    public func find(_ index: ArchiveIndex, _ key: String) throws(ArchiveDamage) -> [ArchiveRecord] {
        try find(index, [key])[0]
    }

    /// The records each of `keys` finds in `index` (a list per key, in `keys`' order): each index
    /// block read once, and the records read in as few preads as lie next to each other (a chunk of
    /// 1,024 audit entries is a few reads, not 2,048).
    public func find(_ index: ArchiveIndex, _ keys: [String]) throws(ArchiveDamage) -> [[ArchiveRecord]] {
        guard let blocks = summaries[index], let first = blocks.first else { return keys.map { _ in [] } }
        // The last block whose first key is not after each key.
        var byBlock: [Int: [Int]] = [:]
        for (k, key) in keys.enumerated() where !key.utf8.lexicographicallyPrecedes(first.firstKey.utf8) {
            var low = 0, high = blocks.count
            while high - low > 1 {
                let mid = (low + high) / 2
                if key.utf8.lexicographicallyPrecedes(blocks[mid].firstKey.utf8) { high = mid } else { low = mid }
            }
            byBlock[low, default: []].append(k)
        }
        var refsOfKey = [[BlockRef]](repeating: [], count: keys.count)
        for (block, wanted) in byBlock {
            let ref = blocks[block].block
            let bytes = try Self.block(path, fs, ref, fileSize: size)
            // By bytes, as the index orders and compares keys (not by Swift's string equivalence).
            var position: [[UInt8]: [Int]] = [:]
            for k in wanted { position[Array(keys[k].utf8), default: []].append(k) }
            try Self.decode(path, at: ref.offset, bytes) { r throws(CodecError) in
                for _ in 0..<(try r.u32()) {
                    let entry = try r.string()
                    let n = try r.u32()
                    var refs: [BlockRef] = []
                    for _ in 0..<n { refs.append(try BlockRef(from: &r)) }
                    if let ks = position[Array(entry.utf8)] { for k in ks { refsOfKey[k] += refs } }
                }
            }
        }
        var seen = Set<Int>()
        let records = try self.records(at: refsOfKey.joined().filter { seen.insert($0.offset).inserted })
        return refsOfKey.map { $0.map { records[$0.offset]! } }
    }

    /// The records at `refs`, by offset: neighbours read together, up to 4 MiB a read.
    private func records(at refs: [BlockRef]) throws(ArchiveDamage) -> [Int: ArchiveRecord] {
        var out: [Int: ArchiveRecord] = [:]
        let sorted = refs.sorted { $0.offset < $1.offset }
        var i = 0
        while i < sorted.count {
            var j = i + 1
            var end = sorted[i].offset + sorted[i].length
            while j < sorted.count, sorted[j].offset == end, end - sorted[i].offset < 1 << 22 {
                end += sorted[j].length
                j += 1
            }
            guard sorted[i].offset >= 0, end <= size else {
                throw ArchiveDamage(path, at: sorted[i].offset, "a block of \(end - sorted[i].offset) bytes outside the file")
            }
            let span = try Self.read(path, fs, sorted[i].offset, end - sorted[i].offset)
            for ref in sorted[i..<j] {
                let at = ref.offset - sorted[i].offset
                let payload = try Self.checked(path, ref, span[at..<(at + ref.length)])
                out[ref.offset] = try decodeRecord(ref, payload)
            }
            i = j
        }
        return out
    }

    /// Every record, in the order written (scans: LIST's pages, AUDIT, STATS by SKU or party).
    public func allRecords() throws(ArchiveDamage) -> [ArchiveRecord] {
        var out: [ArchiveRecord] = []
        try walk(records) { ref, payload throws(ArchiveDamage) in out.append(try self.decodeRecord(ref, payload)) }
        return out
    }

    /// Section 20's VERIFY of an archive: every block against its CRC, in order from the header
    /// to the directory, then the whole file against its checksum. The first damage found is
    /// thrown, naming the offset of the block (or field) that failed.
    public func verify() throws(ArchiveDamage) {
        let head = try Self.read(path, fs, 0, ArchiveFile.magic.count)
        guard head == ArchiveFile.magic else { throw ArchiveDamage(path, at: 0, "not an archive (magic)") }
        try walk(ArchiveFile.magic.count..<(directory.offset + directory.length)) { _, _ throws(ArchiveDamage) in }
        var crc: UInt32 = 0
        var offset = 0
        let end = size - ArchiveFile.trailerSize
        while offset < end {
            let chunk = try Self.read(path, fs, offset, min(1 << 22, end - offset))
            crc = CRC32C.checksum(chunk, seed: crc)
            offset += chunk.count
        }
        guard crc == checksum else { throw ArchiveDamage(path, at: end + 12, "file checksum \(ArchiveEntry.hex(crc)), the trailer says \(ArchiveEntry.hex(checksum))") }
    }

    /// The blocks in `span`, one after another, each checked, read a few megabytes at a time.
    private func walk(_ span: Range<Int>, _ visit: (BlockRef, [UInt8]) throws(ArchiveDamage) -> Void) throws(ArchiveDamage) {
        var window: [UInt8] = []
        var windowStart = span.lowerBound
        var offset = span.lowerBound
        func bytes(_ at: Int, _ count: Int) throws(ArchiveDamage) -> ArraySlice<UInt8> {
            if at < windowStart || at + count > windowStart + window.count {
                windowStart = at
                window = try Self.read(path, fs, at, min(max(count, 1 << 22), span.upperBound - at))
                guard window.count >= count else { throw ArchiveDamage(path, at: at, "cut short") }
            }
            return window[(at - windowStart)..<(at - windowStart + count)]
        }
        while offset < span.upperBound {
            guard span.upperBound - offset >= ArchiveFile.blockHeaderSize else {
                throw ArchiveDamage(path, at: offset, "a block's header runs past \(span.upperBound)")
            }
            let head = try bytes(offset, ArchiveFile.blockHeaderSize)
            let length = Self.u32(head, 0), crc = Self.u32(head, 4)
            guard length <= span.upperBound - offset - ArchiveFile.blockHeaderSize else {
                throw ArchiveDamage(path, at: offset, "a block of \(length) bytes runs past \(span.upperBound)")
            }
            let payload = Array(try bytes(offset + ArchiveFile.blockHeaderSize, length))
            guard CRC32C.checksum(payload) == crc else { throw ArchiveDamage(path, at: offset, "block checksum") }
            let ref = BlockRef(offset: offset, length: ArchiveFile.blockHeaderSize + length)
            try visit(ref, payload)
            offset += ref.length
        }
    }

    private func record(at ref: BlockRef) throws(ArchiveDamage) -> ArchiveRecord {
        try decodeRecord(ref, try Self.block(path, fs, ref, fileSize: size))
    }

    private func decodeRecord(_ ref: BlockRef, _ payload: [UInt8]) throws(ArchiveDamage) -> ArchiveRecord {
        try Self.decode(path, at: ref.offset, payload, format: header.format) { r throws(CodecError) in try ArchiveRecord(from: &r) }
    }

    // MARK: Reading and checking

    private static func read(_ path: String, _ fs: any FileSystem, _ offset: Int, _ count: Int) throws(ArchiveDamage) -> [UInt8] {
        let bytes: [UInt8]
        do throws(StorageError) { bytes = try fs.readRange(path, offset: offset, count: count) } catch {
            throw ArchiveDamage(path, at: offset, error.message)
        }
        guard bytes.count == count else { throw ArchiveDamage(path, at: offset, "cut short: \(bytes.count) of \(count) bytes") }
        return bytes
    }

    /// A block's payload, checked against its length and CRC.
    private static func block(_ path: String, _ fs: any FileSystem, _ ref: BlockRef, fileSize: Int) throws(ArchiveDamage) -> [UInt8] {
        guard ref.length >= ArchiveFile.blockHeaderSize, ref.offset >= 0, ref.offset + ref.length <= fileSize else {
            throw ArchiveDamage(path, at: ref.offset, "a block of \(ref.length) bytes outside the file")
        }
        return try checked(path, ref, try read(path, fs, ref.offset, ref.length)[...])
    }

    /// A block's payload out of its bytes (`ref.length` of them), checked against its length and CRC.
    private static func checked(_ path: String, _ ref: BlockRef, _ bytes: ArraySlice<UInt8>) throws(ArchiveDamage) -> [UInt8] {
        guard ref.length >= ArchiveFile.blockHeaderSize else { throw ArchiveDamage(path, at: ref.offset, "a block of \(ref.length) bytes") }
        let length = u32(bytes, 0), crc = u32(bytes, 4)
        guard length == ref.length - ArchiveFile.blockHeaderSize else {
            throw ArchiveDamage(path, at: ref.offset, "block length \(length), expected \(ref.length - ArchiveFile.blockHeaderSize)")
        }
        let payload = Array(bytes.dropFirst(ArchiveFile.blockHeaderSize))
        guard CRC32C.checksum(payload) == crc else { throw ArchiveDamage(path, at: ref.offset, "block checksum") }
        return payload
    }

    private static func u32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> Int {
        let i = bytes.startIndex + at
        return Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }

    /// Decodes a checked payload (the format's reader); a payload that passed its CRC yet does
    /// not decode is damage too (written by a broken build).
    private static func decode<T>(_ path: String, at offset: Int, _ bytes: [UInt8], format: Format = .current,
                                  _ body: (inout ByteReader) throws(CodecError) -> T) throws(ArchiveDamage) -> T {
        let result: Result<T, CodecError> = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw, format: format)
            do throws(CodecError) { return .success(try body(&reader)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw ArchiveDamage(path, at: offset, error.message)
        }
    }
}

