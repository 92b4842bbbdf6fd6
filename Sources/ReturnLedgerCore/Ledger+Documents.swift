/// Documents in issue order, and the chain over them (protocol.md, Document chain): a document's
/// hash is decided as it is issued and stored; VERIFY recomputes it from the documents' values.
extension Ledger {
    /// The number the next document issued at `now` takes: on the business date, never before the
    /// last document's (a zone moved west keeps the numbering going on the date it had reached),
    /// after that date's last.
    func nextDocument(at now: Timestamp) -> String {
        let day = max(policy.calendar.day(of: now), lastDocumentDay ?? .min)
        return Ledger.documentNumber(day: day, serial: (documentsPerDay[day] ?? 0) + 1)
    }

    /// `RT-YYYYMMDD-NNNN`: the document issued `serial`-th on a business date.
    static func documentNumber(day: Int64, serial: Int) -> String {
        "RT-" + CivilDate(daysSinceEpoch: day).compact + "-" + zeroPadded(serial, width: 4)
    }

    /// Every document in issue (= number) order from `start` (a document number; nil: the first),
    /// with its return's number, until `body` says stop. Dates never go back and each date's
    /// numbers have no gaps, so the per-date counts are the whole order: nothing else is kept.
    func forEachDocument(from start: String? = nil, _ body: (String, Int) -> Bool) {
        var startDay = Int64.min, startSerial = 1
        if let start, let day = Self.documentDay(start), let serial = Self.documentSerial(start) {
            startDay = day; startSerial = serial
        }
        for day in documentsPerDay.keys.sorted() where day >= startDay {
            var serial = day == startDay ? startSerial : 1
            while serial <= documentsPerDay[day]! {
                let doc = Self.documentNumber(day: day, serial: serial)
                serial += 1
                guard let number = documents[doc] else { continue }
                if !body(doc, number) { return }
            }
        }
    }

    /// The document issued just before `doc`; nil for the first.
    static func previousDocument(_ doc: String, perDay: [Int64: Int]) -> String? {
        guard let day = Self.documentDay(doc), let serial = Self.documentSerial(doc) else { return nil }
        if serial > 1 { return Self.documentNumber(day: day, serial: serial - 1) }
        guard let earlier = perDay.keys.filter({ $0 < day }).max(), let count = perDay[earlier] else { return nil }
        return Self.documentNumber(day: earlier, serial: count)
    }

    /// The hash `doc` chains from: the stored hash of the document before it (64 zeros for the first).
    /// `request`: return `n` (nil: it cannot be read, and the hash is 64 zeros).
    static func previousHash<E: Error>(_ doc: String, documents: DocumentIndex, perDay: [Int64: Int], voids: [Int: VoidRecord],
                                       request: (Int) throws(E) -> ReturnRequest?) throws(E) -> DocHash {
        guard let previous = previousDocument(doc, perDay: perDay), let number = documents[previous],
              let before = try request(number) else { return .zero }
        return storedHash(previous, of: before, voids: voids)
    }

    /// The document before `doc`'s stored hash (its return read back if it left memory).
    func previousHash(_ doc: String) throws(DomainError) -> DocHash {
        try Self.previousHash(doc, documents: documents, perDay: documentsPerDay, voids: voids) { (n) throws(DomainError) in try filedReturn(n) }
    }

    /// The stored hash of `doc`: the return's own document's, or its void's.
    static func storedHash(_ doc: String, of request: ReturnRequest, voids: [Int: VoidRecord]) -> DocHash {
        if request.doc != doc, let record = voids[request.number], record.doc == doc { return record.hash }
        return request.docHash
    }

    /// The serial in a document number (`RT-20260302-0017` → 17).
    static func documentSerial(_ doc: String) -> Int? {
        let b = Array(doc.utf8)
        guard b.count >= 13 else { return nil }
        var n = 0
        for c in b[12...] {
            guard (0x30...0x39).contains(c) else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    /// A state written before format 9 (a snapshot) brought to what replaying its records gives:
    /// every document chained in issue order, as the records' `apply` chains them.
    public mutating func chainDocuments() {
        var head = DocHash.zero
        var chained: [(Int, DocHash)] = []
        forEachDocument { doc, number in
            let request = returns[number - 1]
            head = Ledger.documentHash(after: head, documentRecord(doc, of: request).header, request)
            chained.append((number, head))
            return true
        }
        for (number, hash) in chained { returns[number - 1].docHash = hash }
        chainHead = head
    }

    /// The chain's head after a snapshot before format 16 (which keeps it): the last document's
    /// hash (every return is in memory then).
    mutating func findChainHead() {
        guard let day = documentsPerDay.keys.max(), let count = documentsPerDay[day],
              let number = documents[Self.documentNumber(day: day, serial: count)] else {
            chainHead = .zero
            return
        }
        chainHead = documentRecord(Self.documentNumber(day: day, serial: count), of: returns[number - 1]).hash
    }

    /// A format 16 state's chain head, as it was kept.
    public mutating func restore(chainHead: DocHash) { self.chainHead = chainHead }

    /// Whether the chain's head is the last document's stored hash (64 zeros for none); true
    /// when that document's return left memory (its archive holds the hash, checked by VERIFY).
    public var chainHeadMatchesLastDocument: Bool {
        guard let day = documentsPerDay.keys.max(), let count = documentsPerDay[day],
              let number = documents[Self.documentNumber(day: day, serial: count)] else { return chainHead == .zero }
        guard number >= 1, number <= returns.count, returns.isHeld(number - 1) else { return true }
        return chainHead == documentRecord(Self.documentNumber(day: day, serial: count), of: returns[number - 1]).hash
    }

    /// VERIFY: recomputes the chain from the first document, or from `from` trusting the stored
    /// hash of the one before it; the first document whose recomputed hash differs is `CHAIN`.
    public func verifyReply(from: String?) throws(DomainError) -> Reply {
        if let from, documents[from] == nil { throw .notFound("document", from) }
        var head = try from.map { (doc) throws(DomainError) in try previousHash(doc) } ?? .zero
        var count = 0, last = ""
        var broken: (doc: String, stored: DocHash, computed: DocHash)?
        // Documents of returns that left memory are read back a chunk at a time (section 23).
        var filed = FiledReturns()
        var failed: DomainError?
        forEachDocument(from: from) { doc, number in
            let request: ReturnRequest
            do throws(DomainError) { request = try filed.at(number, of: self) } catch {
                failed = error
                return false
            }
            let (header, stored) = documentRecord(doc, of: request)
            let computed = Ledger.documentHash(after: head, header, request)
            guard computed == stored else {
                broken = (doc, stored, computed)
                return false
            }
            head = computed
            count += 1
            last = doc
            return true
        }
        if let failed { throw failed }
        if let broken {
            throw DomainError(.CHAIN, "\(broken.doc) stored hash \(broken.stored) but its values and the previous hash give \(broken.computed)")
        }
        return Reply(status: [Field("count", String(count)), Field("last", last), Field("hash", head.description)])
    }
}
