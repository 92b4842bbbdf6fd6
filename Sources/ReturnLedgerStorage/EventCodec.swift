public import ReturnLedgerCore

/// Events as bytes: a one-byte tag, then the case's fields. Tags are forever; a new event
/// gets a new tag. Fields added after format 1 are read only from records of the format that
/// added them (`ByteReader.format`); see `Format` for the history.
extension Event: BinaryCodable {
    /// Every tag this build knows, for the test that each has a round-trip case.
    public static var tags: [UInt8] { Tag.allCases.map(\.rawValue) }

    /// `archive.written`'s tag: what a primary looks for, cheaply, in the records it streams.
    static var archiveWrittenTag: UInt8 { Tag.archiveWritten.rawValue }

    /// The tag this event is written with.
    public var tag: UInt8 {
        var w = ByteWriter(capacity: 64)
        write(to: &w)
        return w.bytes[0]
    }

    private enum Tag: UInt8, CaseIterable {
        case userAdded = 1, userRoleChanged, userEnabledChanged, userPasswordChanged, locationAdded, productAdded
        case partyAdded, reasonAdded, policyChanged, orderRecorded, paymentRecorded, returnFiled, returnApproved
        case returnRejected, returnCancelled, returnInspected, loginFailed, audited
        /// Format 3.
        case userScoped = 19
        /// Format 4.
        case ruleAdded = 20, ruleDropped, returnFirstApproved
        /// Format 5.
        case customerLimitsChanged = 23
        case timezoneChanged = 24
        /// Format 8.
        case tillOpened = 25, tillMoved, tillClosed, tenderPolicyChanged, creditDrawn, creditIssued
        /// Format 9.
        case taxPolicyChanged = 31
        case returnVoided = 32
        case periodClosed = 33
        /// Format 10.
        case returnDisposed = 34, stockDisposed, vendorCredited
        /// Format 11.
        case transferSent = 37, transferReceived, transferCancelled, stockAdjusted, stockCounted
        case categoryAdded = 42
        case epochStarted = 43
        /// Format 13.
        case archiveWritten = 44
    }

    public func write(to w: inout ByteWriter) {
        switch self {
        case .userAdded(let u): w.u8(Tag.userAdded.rawValue); w.write(u)
        case .userRoleChanged(let name, let role): w.u8(Tag.userRoleChanged.rawValue); w.string(name); w.enumValue(role)
        case .userEnabledChanged(let name, let enabled): w.u8(Tag.userEnabledChanged.rawValue); w.string(name); w.bool(enabled)
        case .userPasswordChanged(let name, let hash): w.u8(Tag.userPasswordChanged.rawValue); w.string(name); w.string(hash)
        case .locationAdded(let l): w.u8(Tag.locationAdded.rawValue); w.write(l)
        case .productAdded(let p): w.u8(Tag.productAdded.rawValue); w.write(p)
        case .partyAdded(let p): w.u8(Tag.partyAdded.rawValue); w.write(p)
        case .reasonAdded(let r): w.u8(Tag.reasonAdded.rawValue); w.write(r)
        case .policyChanged(let days): w.u8(Tag.policyChanged.rawValue); w.i64(days)
        case .orderRecorded(let o): w.u8(Tag.orderRecorded.rawValue); w.write(o)
        case .paymentRecorded(let party, let amount, let direction, let note, let at, let number):
            w.u8(Tag.paymentRecorded.rawValue); w.string(party); w.write(amount); w.enumValue(direction); w.string(note); w.write(at)
            w.int(number)
        case .returnFiled(let request): w.u8(Tag.returnFiled.rawValue); w.write(request)
        case .returnApproved(let approval): w.u8(Tag.returnApproved.rawValue); w.write(approval)
        case .returnRejected(let number, let note, let by, let at):
            w.u8(Tag.returnRejected.rawValue); w.int(number); w.string(note); w.string(by); w.write(at)
        case .returnCancelled(let number, let by, let at):
            w.u8(Tag.returnCancelled.rawValue); w.int(number); w.string(by); w.write(at)
        case .returnInspected(let number, let disposition, let note, let by, let at):
            w.u8(Tag.returnInspected.rawValue); w.int(number); w.enumValue(disposition); w.string(note); w.string(by); w.write(at)
        case .loginFailed(let user, let at): w.u8(Tag.loginFailed.rawValue); w.string(user); w.write(at)
        case .audited(let entry): w.u8(Tag.audited.rawValue); w.write(entry)
        case .userScoped(let name, let locations): w.u8(Tag.userScoped.rawValue); w.string(name); w.write(locations)
        case .ruleAdded(let rule): w.u8(Tag.ruleAdded.rawValue); w.write(rule)
        case .ruleDropped(let code): w.u8(Tag.ruleDropped.rawValue); w.string(code)
        case .returnFirstApproved(let number, let note, let by, let at):
            w.u8(Tag.returnFirstApproved.rawValue); w.int(number); w.string(note); w.string(by); w.write(at)
        case .customerLimitsChanged(let returns, let days):
            w.u8(Tag.customerLimitsChanged.rawValue); w.i64(returns); w.i64(days)
        case .timezoneChanged(let zone, let at): w.u8(Tag.timezoneChanged.rawValue); w.write(zone); w.write(at)
        case .tillOpened(let session): w.u8(Tag.tillOpened.rawValue); w.write(session)
        case .tillMoved(let session, let kind, let amount, let note, let by, let at):
            w.u8(Tag.tillMoved.rawValue); w.int(session); w.enumValue(kind); w.write(amount); w.string(note); w.string(by); w.write(at)
        case .tillClosed(let session, let counted, let note, let by, let at):
            w.u8(Tag.tillClosed.rawValue); w.int(session); w.write(counted); w.string(note); w.string(by); w.write(at)
        case .tenderPolicyChanged(let creditDays, let offlineHours, let crossStore):
            w.u8(Tag.tenderPolicyChanged.rawValue); w.i64(creditDays); w.i64(offlineHours); w.bool(crossStore)
        case .creditDrawn(let party, let doc, let draws): w.u8(Tag.creditDrawn.rawValue); w.string(party); w.string(doc); w.array(draws)
        case .creditIssued(let party, let lot): w.u8(Tag.creditIssued.rawValue); w.string(party); w.write(lot)
        case .taxPolicyChanged(let included): w.u8(Tag.taxPolicyChanged.rawValue); w.bool(included)
        case .returnVoided(let record): w.u8(Tag.returnVoided.rawValue); w.write(record)
        case .periodClosed(let close, let writeOffs): w.u8(Tag.periodClosed.rawValue); w.write(close); w.array(writeOffs)
        case .returnDisposed(let inspection): w.u8(Tag.returnDisposed.rawValue); w.write(inspection)
        case .stockDisposed(let move): w.u8(Tag.stockDisposed.rawValue); w.write(move)
        case .transferSent(let t): w.u8(Tag.transferSent.rawValue); w.write(t)
        case .transferReceived(let t): w.u8(Tag.transferReceived.rawValue); w.write(t)
        case .transferCancelled(let t): w.u8(Tag.transferCancelled.rawValue); w.write(t)
        case .stockAdjusted(let move): w.u8(Tag.stockAdjusted.rawValue); w.write(move)
        case .stockCounted(let move): w.u8(Tag.stockCounted.rawValue); w.write(move)
        case .vendorCredited(let number, let credit): w.u8(Tag.vendorCredited.rawValue); w.int(number); w.write(credit)
        case .categoryAdded(let category): w.u8(Tag.categoryAdded.rawValue); w.write(category)
        case .epochStarted(let e): w.u8(Tag.epochStarted.rawValue); w.string(e.epoch); w.string(e.parent); w.u64(e.since); w.string(e.by)
        case .archiveWritten(let a): w.u8(Tag.archiveWritten.rawValue); a.writeSummary(to: &w)
        }
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        let raw = try r.u8()
        guard let tag = Tag(rawValue: raw) else { throw CodecError("unknown event tag \(raw)") }
        switch tag {
        case .userAdded: self = .userAdded(try r.read())
        case .userRoleChanged: self = .userRoleChanged(name: try r.string(), role: try r.enumValue())
        case .userEnabledChanged: self = .userEnabledChanged(name: try r.string(), enabled: try r.bool())
        case .userPasswordChanged: self = .userPasswordChanged(name: try r.string(), passwordHash: try r.string())
        case .locationAdded: self = .locationAdded(try r.read())
        case .productAdded: self = .productAdded(try r.read())
        case .partyAdded: self = .partyAdded(try r.read())
        case .reasonAdded: self = .reasonAdded(try r.read())
        case .policyChanged: self = .policyChanged(windowDays: try r.i64())
        case .orderRecorded: self = .orderRecorded(try r.read())
        case .paymentRecorded:
            self = .paymentRecorded(party: try r.string(), amount: try r.read(), direction: try r.enumValue(),
                                    note: try r.string(), at: try r.read(), number: r.format >= .v7 ? try r.int() : 0)
        case .returnFiled: self = .returnFiled(try r.read())
        case .returnApproved: self = .returnApproved(try r.read())
        case .returnRejected: self = .returnRejected(number: try r.int(), note: try r.string(), by: try r.string(), at: try r.read())
        case .returnCancelled: self = .returnCancelled(number: try r.int(), by: try r.string(), at: try r.read())
        case .returnInspected:
            self = .returnInspected(number: try r.int(), disposition: try r.enumValue(), note: try r.string(),
                                    by: try r.string(), at: try r.read())
        case .loginFailed: self = .loginFailed(user: try r.string(), at: try r.read())
        case .audited: self = .audited(try r.read())
        case .userScoped: self = .userScoped(name: try r.string(), locations: try r.read())
        case .ruleAdded: self = .ruleAdded(try r.read())
        case .ruleDropped: self = .ruleDropped(code: try r.string())
        case .returnFirstApproved:
            self = .returnFirstApproved(number: try r.int(), note: try r.string(), by: try r.string(), at: try r.read())
        case .customerLimitsChanged: self = .customerLimitsChanged(returns: try r.i64(), days: try r.i64())
        case .timezoneChanged: self = .timezoneChanged(zone: try r.read(), at: try r.read())
        case .tillOpened: self = .tillOpened(try r.read())
        case .tillMoved:
            self = .tillMoved(session: try r.int(), kind: try r.enumValue(), amount: try r.read(), note: try r.string(),
                              by: try r.string(), at: try r.read())
        case .tillClosed:
            self = .tillClosed(session: try r.int(), counted: try r.read(), note: try r.string(), by: try r.string(), at: try r.read())
        case .tenderPolicyChanged: self = .tenderPolicyChanged(creditDays: try r.i64(), offlineHours: try r.i64(), crossStore: try r.bool())
        case .creditDrawn: self = .creditDrawn(party: try r.string(), doc: try r.string(), draws: try r.array())
        case .creditIssued: self = .creditIssued(party: try r.string(), lot: try r.read())
        case .taxPolicyChanged: self = .taxPolicyChanged(taxIncluded: try r.bool())
        case .returnVoided: self = .returnVoided(try r.read())
        case .periodClosed: self = .periodClosed(try r.read(), writeOffs: try r.array())
        case .returnDisposed: self = .returnDisposed(try r.read())
        case .stockDisposed: self = .stockDisposed(try r.read())
        case .transferSent: self = .transferSent(try r.read())
        case .transferReceived: self = .transferReceived(try r.read())
        case .transferCancelled: self = .transferCancelled(try r.read())
        case .stockAdjusted: self = .stockAdjusted(try r.read())
        case .stockCounted: self = .stockCounted(try r.read())
        case .vendorCredited: self = .vendorCredited(number: try r.int(), credit: try r.read())
        case .categoryAdded: self = .categoryAdded(try r.read())
        case .epochStarted:
            self = .epochStarted(EpochStart(epoch: try r.string(), parent: try r.string(), since: try r.u64(), by: try r.string()))
        case .archiveWritten: self = .archiveWritten(try ArchiveEntry.readSummary(from: &r))
        }
    }
}

extension Approval: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.string(doc); w.enumValue(refund); w.string(note); w.string(by); w.write(at)
        // Since format 2: the outcome (absent only when re-encoding a format-1 approval).
        w.bool(outcome != nil)
        // Written where it is kept: `if let` would copy the whole outcome first.
        outcome?.write(to: &w)
        // Since format 9: the document's hash (absent only when re-encoding an older approval).
        w.bool(hash != nil)
        if let hash { w.write(hash) }
        // Since format 10: the RMA an APPROVE set on a supplier return.
        w.bool(rma != nil)
        if let rma { w.string(rma) }
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), doc: try r.string(), refund: try r.enumValue(), note: try r.string(),
                  by: try r.string(), at: try r.read(), outcome: nil)
        guard r.format >= .v2 else { return }
        if try r.bool() { outcome = try Approval.readOutcome(&r) }
        if r.format >= .v9, try r.bool() { hash = try r.read() }
        if r.format >= .v10, try r.bool() { rma = try r.string() }
    }

    private static func readOutcome(_ r: inout ByteReader) throws(CodecError) -> ApprovalOutcome {
        var quarantined: [Int] = []
        for _ in 0..<(try r.count()) { quarantined.append(try r.int()) }
        var read = ApprovalOutcome(quarantined: quarantined, credited: try r.read(), refunded: try r.read())
        if r.format >= .v5 {  // older approvals kept no fee and had no exchange
            read.feeRate = Percent(hundredths: try r.i64())
            read.fee = try r.read()
            if try r.bool() { read.exchange = try r.read() }
            read.due = try r.read()
            read.paidIn = try r.read()
        }
        if r.format >= .v8 {  // older approvals: `Ledger.upgraded` derives the tenders on apply
            if try r.bool() { read.tenders = try r.read() }
        }
        if r.format >= .v9, try r.bool() {  // older approvals, and untaxed ones: no tax on the fee
            read.feeTax = try r.read()
        }
        return read
    }
}

extension VoidRecord: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.string(doc); w.string(reason); w.string(note); w.string(by); w.write(at); w.write(hash)
        w.write(effects)
        w.bool(owed != nil); w.write(owed ?? .zero); w.write(lotGivenBack)
        w.bool(lot != nil)
        if let lot { w.write(lot) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), doc: try r.string(), reason: try r.string(), note: try r.string(), by: try r.string(),
                  at: try r.read(), hash: try r.read(), effects: try r.read(), owed: nil, lotGivenBack: .zero, lot: nil)
        let hasOwed = try r.bool()
        let owed: Money = try r.read()
        self.owed = hasOwed ? owed : nil
        lotGivenBack = try r.read()
        if try r.bool() { lot = try r.read() }
    }
}

/// What a change moved, as decided (a VOID's): each stock move and each posting.
extension Effects: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.u32(UInt32(moves.count))
        for m in moves {
            w.string(m.sku); w.string(m.slot.location); w.string(m.slot.batch); w.i64(m.onHand); w.i64(m.quarantine)
            // Since format 10: whether held states move (most moves: no), then rtv, refurbish, transit;
            // since format 11 the byte is a set of flags: 1 those three, 2 the serials follow.
            w.u8((m.movesHeld ? 1 : 0) | (m.serials.isEmpty ? 0 : 2))
            if m.movesHeld { w.i64(m.rtv); w.i64(m.refurbish); w.i64(m.transit) }
            if !m.serials.isEmpty { w.strings(m.serials) }
        }
        w.u32(UInt32(postings.count))
        for p in postings { w.string(p.party); w.enumValue(p.kind); w.string(p.doc); w.write(p.amount) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(moves: [], postings: [])
        for _ in 0..<(try r.count()) {
            var move = Effects.Move(sku: try r.string(), slot: StockSlot(location: try r.string(), batch: try r.string()),
                                    onHand: try r.i64(), quarantine: try r.i64())
            if r.format >= .v11 {
                let flags = try r.u8()
                guard flags < 4 else { throw CodecError("stock move flags \(flags)") }
                if flags & 1 != 0 { move.rtv = try r.i64(); move.refurbish = try r.i64(); move.transit = try r.i64() }
                if flags & 2 != 0 { move.serials = try r.strings() }
            } else if r.format >= .v10, try r.bool() {
                move.rtv = try r.i64(); move.refurbish = try r.i64(); move.transit = try r.i64()
            }
            moves.append(move)
        }
        for _ in 0..<(try r.count()) {
            postings.append(Effects.Posting(party: try r.string(), kind: try r.enumValue(), doc: try r.string(), amount: try r.read()))
        }
    }
}

extension PeriodClose: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.i64(through); w.string(by); w.write(at); w.string(note)
        w.u32(UInt32(days.count))
        for day in days {
            w.i64(day.day)
            w.array(day.rows)
        }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(through: try r.i64(), by: try r.string(), at: try r.read(), note: try r.string(), days: [])
        for _ in 0..<(try r.count()) { days.append(ZDay(day: try r.i64(), rows: try r.array())) }
    }
}

extension ZRow: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(location); w.i64(sales); w.write(salesAmount); w.write(salesTax); w.write(discounts)
        w.i64(returns); w.write(refundsAmount); w.write(refundsTax); w.write(fees); w.i64(voids); w.write(voidsAmount)
        w.write(paidIn); w.write(paidOut); w.write(variance)
        w.array(taken); w.array(refunded)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(location: try r.string())
        sales = try r.i64(); salesAmount = try r.read(); salesTax = try r.read(); discounts = try r.read()
        returns = try r.i64(); refundsAmount = try r.read(); refundsTax = try r.read(); fees = try r.read()
        voids = try r.i64(); voidsAmount = try r.read()
        paidIn = try r.read(); paidOut = try r.read(); variance = try r.read()
        taken = try r.array(); refunded = try r.array()
        guard taken.count == ZRow.tenderKinds.count, refunded.count == ZRow.tenderKinds.count else {
            throw CodecError("a Z row holds \(taken.count) and \(refunded.count) tender figures, not \(ZRow.tenderKinds.count)")
        }
    }
}

extension CreditWriteOff: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(party); w.string(lot); w.write(amount); w.write(at) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(party: try r.string(), lot: try r.string(), amount: try r.read(), at: try r.read())
    }
}

extension DocHash: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.u64(words.0); w.u64(words.1); w.u64(words.2); w.u64(words.3) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(words: (try r.u64(), try r.u64(), try r.u64(), try r.u64()))
    }
}

extension ApprovalOutcome {
    /// An approval's outcome, after its presence flag (see `Approval`).
    func write(to w: inout ByteWriter) {
        w.u32(UInt32(quarantined.count))
        for index in quarantined { w.int(index) }
        w.write(credited); w.write(refunded)
        // Since format 5: the fee, the exchange sale, the difference and cash paid in.
        w.i64(feeRate.hundredths); w.write(fee)
        w.bool(exchange != nil)
        exchange?.write(to: &w)
        w.write(due); w.write(paidIn)
        // Since format 8: the tenders (absent only when re-encoding an older approval).
        w.bool(tenders != nil)
        tenders?.write(to: &w)
        // Since format 9: whether the fee carries tax (most do not: nothing more), then that tax.
        w.bool(feeTax.minor != 0)
        if feeTax.minor != 0 { w.write(feeTax) }
    }
}

/// What one log record holds: the events of one command, with when and by whom.
public struct LogEntry: Sendable, Equatable {
    public var at: Timestamp
    public var actor: String
    public var events: [Event]
    public init(at: Timestamp, actor: String, events: [Event]) { self.at = at; self.actor = actor; self.events = events }
}

extension LogEntry: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.write(at); w.string(actor); w.array(events) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(at: try r.read(), actor: try r.string(), events: try r.array())
    }
}

extension Disposal: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.string(batch); w.i64(quantity); w.enumValue(disposition); w.string(toSku); w.write(value); w.write(at); w.string(by)
        w.strings(serials)  // since format 11
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), batch: try r.string(), quantity: try r.i64(), disposition: try r.enumValue(),
                  toSku: try r.string(), value: try r.read(), at: try r.read(), by: try r.string())
        if r.format >= .v11 { serials = try r.strings() }
    }
}

extension Inspection: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.int(number); w.array(disposals); w.string(note); w.string(by); w.write(at); w.i64(left) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), disposals: try r.array(), note: try r.string(), by: try r.string(), at: try r.read(),
                  left: try r.i64())
    }
}

extension StockMove: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.enumValue(kind); w.string(location); w.enumValue(from); w.array(disposals); w.string(note); w.string(key)
        w.string(by); w.write(at)
        // Since format 11: ADJUST's direction and reason (a flag, then both), ADJUST's and COUNT's lines.
        w.bool(adjustment != nil)
        if let adjustment { w.enumValue(adjustment.direction); w.enumValue(adjustment.reason) }
        w.array(lines)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), kind: try r.enumValue(), location: try r.string(), from: try r.enumValue(),
                  disposals: try r.array(), note: try r.string(), key: try r.string(), by: try r.string(), at: try r.read())
        guard r.format >= .v11 else { return }  // DISPOSE's, before ADJUST and COUNT
        if try r.bool() { adjustment = Adjustment(direction: try r.enumValue(), reason: try r.enumValue()) }
        lines = try r.array()
    }
}

extension StockMoveLine: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.string(batch); w.i64(before); w.i64(change); w.write(value); w.strings(serialsIn); w.strings(serialsOut)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), batch: try r.string(), before: try r.i64(), change: try r.i64(), value: try r.read())
        if r.format >= .v11 { serialsIn = try r.strings(); serialsOut = try r.strings() }  // (format 11's type, as written)
    }
}

/// Format 11 (protocol.md, Transfers): the whole transfer after each of its steps.
extension Transfer: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(id); w.string(from); w.string(to); w.array(lines); w.string(note); w.string(sentBy); w.write(sentAt)
        w.enumValue(state); w.bool(viaTransit); w.string(receivedBy); w.bool(receivedAt != nil)
        if let receivedAt { w.write(receivedAt) }
        w.string(receivedNote); w.write(value)
        w.string(cancelledBy); w.bool(cancelledAt != nil)
        if let cancelledAt { w.write(cancelledAt) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(id: try r.string(), from: try r.string(), to: try r.string(), lines: try r.array(), note: try r.string(),
                  sentBy: try r.string(), sentAt: try r.read(), state: try r.enumValue(), viaTransit: try r.bool(),
                  receivedBy: try r.string())
        if try r.bool() { receivedAt = try r.read() }
        receivedNote = try r.string()
        value = try r.read()
        cancelledBy = try r.string()
        if try r.bool() { cancelledAt = try r.read() }
    }
}

extension TransferLine: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.string(batch); w.i64(sent); w.i64(received); w.strings(serials); w.strings(receivedSerials)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), batch: try r.string(), sent: try r.i64(), received: try r.i64())
        if r.format >= .v11 { serials = try r.strings(); receivedSerials = try r.strings() }  // (format 11's type, as written)
    }
}

extension VendorCredit: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.write(amount); w.string(ref); w.string(note); w.string(by); w.write(at) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(amount: try r.read(), ref: try r.string(), note: try r.string(), by: try r.string(), at: try r.read())
    }
}

extension SupplierTerms {
    func write(to w: inout ByteWriter) {
        w.string(filedRma); w.bool(approvedRma != nil); w.string(approvedRma ?? ""); w.enumValue(source); w.write(expected)
        w.bool(credit != nil)
        if let credit { w.write(credit) }
    }
    static func read(_ r: inout ByteReader) throws(CodecError) -> SupplierTerms {
        let filed = try r.string(), approved = try r.bool(), approvedRma = try r.string()
        let source: StockState = try r.enumValue(), expected: Money = try r.read()
        let credit: VendorCredit? = try r.bool() ? try r.read() : nil
        return SupplierTerms(filedRma: filed, approvedRma: approved ? approvedRma : nil, source: source, expected: expected, credit: credit)
    }
}
