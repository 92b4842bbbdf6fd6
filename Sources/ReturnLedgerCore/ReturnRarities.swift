/// The fields of a return that most returns leave at their defaults (a rule's flow, a second
/// approval, an exchange, an override, a fee, a late filing, inspection, a supplier's terms), kept
/// in one shared box outside the return (issue 30, a compact state).
///
/// Stored in the return they took about 170 of its 456 bytes, in every one of a million returns
/// whether used or not. Boxed, a return that uses none of them points at one shared empty box (8
/// bytes); one that uses any gets a box of its own, copied on write like an array's storage.
struct ReturnRarities: Sendable, Equatable {
    var flow = ReturnFlow()
    var firstApprovedBy = ""
    var firstApprovedAt: Timestamp? = nil
    var firstApprovalNote = ""
    var exchange: [OrderLine] = []
    var exchangeText = ""
    var override = false
    var waivers: Waivers = []
    var feeRate = Percent.zero
    var fee = Money.zero
    var due = Money.zero
    var history: [ReturnEvent] = []
    var takenAt: Timestamp? = nil
    var feeTax = Money.zero
    var disposals: [Disposal] = []
    var supplier: SupplierTerms? = nil
}

/// The box: immutable once shared. A write goes to it in place only when the return holding it is
/// its only owner (`isKnownUniquelyReferenced`), else to a copy; the shared empty box is never
/// unique (the static holds it too), so it is never written.
final class RarityBox: @unchecked Sendable, Equatable {
    /// Written only through `ReturnRequest.rareFields` (below), which copies a shared box first.
    /// Unchecked exclusivity: a box is written only by the return that owns it alone.
    @exclusivity(unchecked) fileprivate(set) var fields: ReturnRarities

    init(_ fields: ReturnRarities) { self.fields = fields }

    static let empty = RarityBox(ReturnRarities())

    static func == (a: RarityBox, b: RarityBox) -> Bool { a === b || a.fields == b.fields }
}

extension ReturnRequest {
    /// The rare fields for writing: the box is copied first unless this return owns it alone. The
    /// properties (ReturnRequest.swift) skip a default written while the return holds the shared
    /// empty box, so a decoded or approved return setting defaults keeps it; any other write is
    /// made (a string equal but not byte-equal, `é` composed or not, is written too).
    var rareFields: ReturnRarities {
        get { rarities.fields }
        _modify {
            if !isKnownUniquelyReferenced(&rarities) { rarities = RarityBox(rarities.fields) }
            yield &rarities.fields
        }
    }

    /// One rare field written (the properties' setters): skipped only for a default while the
    /// return holds the shared empty box.
    @inline(__always)
    mutating func setRare<T: Equatable>(_ field: WritableKeyPath<ReturnRarities, T>, _ value: T) {
        if rarities !== RarityBox.empty || value != RarityBox.empty.fields[keyPath: field] { rareFields[keyPath: field] = value }
    }
}
