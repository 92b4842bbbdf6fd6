/// How a refund is shared over the tenders a sale was paid with (protocol.md, Refund tender).
/// Pure arithmetic on minor units, so every rule is tested on its own.
public enum TenderSplit {
    /// `amount` shared in proportion to `weights`: each share floor(amount × weight / total), the
    /// cents left one each to the largest remainders (ties: the earlier). Weights ≥ 0, total > 0.
    public static func proportional(_ amount: Int64, weights: [Int64]) -> [Int64] {
        let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
        guard total > 0 else { return weights.map { _ in 0 } }
        var shares: [Int64] = []
        var remainders: [(index: Int, rest: Int128)] = []
        for (i, w) in weights.enumerated() {
            let exact = Int128(amount) * Int128(w)
            shares.append(Int64(exact / total))
            remainders.append((i, exact % total))
        }
        var left = amount - shares.reduce(0, +)
        // Largest remainder first; a stable order keeps ties with the earlier tender.
        for r in remainders.enumerated().sorted(by: { a, b in
            a.element.rest != b.element.rest ? a.element.rest > b.element.rest : a.offset < b.offset
        }) where left > 0 {
            shares[r.element.index] += 1
            left -= 1
        }
        return shares
    }

    /// `refund=original`: the net shared in proportion to what each tender paid; a share above
    /// what is unrefunded of its tender is cut to that, the excess going to the tenders with room
    /// in sale order. Nil when the tenders together have less room than the net.
    public static func mirror(_ net: Int64, paid: [Int64], unrefunded: [Int64]) -> [Int64]? {
        var shares = proportional(net, weights: paid)
        var excess: Int64 = 0
        for i in shares.indices where shares[i] > unrefunded[i] {
            excess += shares[i] - unrefunded[i]
            shares[i] = unrefunded[i]
        }
        for i in shares.indices where excess > 0 {
            let room = unrefunded[i] - shares[i]
            let take = min(room, excess)
            shares[i] += take
            excess -= take
        }
        return excess == 0 ? shares : nil
    }

    /// The sale's tenders a refund part may come from, in the order they are drawn: `cash` from
    /// cash, `card#R` from the card with that reference, `other` from other (that reference when
    /// named), `credit` from credit, then cash, then other, then cards.
    public static func sources(of part: Tender, in tenders: [Tender]) -> [Int] {
        func all(_ kind: TenderKind) -> [Int] { tenders.indices.filter { tenders[$0].kind == kind } }
        switch part.kind {
        case .cash: return all(.cash)
        case .card: return tenders.indices.filter { tenders[$0].kind == .card && tenders[$0].ref == part.ref }
        case .other: return all(.other).filter { part.ref.isEmpty || tenders[$0].ref == part.ref }
        case .credit: return all(.credit) + all(.cash) + all(.other) + all(.card)
        }
    }

    /// Charges refund parts to the sale's tenders by the tender policy: per sale tender, what the
    /// parts take from it. A part that does not fit is returned as the failure, unless
    /// `override`, which charges its rest to any tender with room, in sale order.
    public static func charge(_ parts: [Tender], to tenders: [Tender], unrefunded: [Int64],
                              override: Bool) -> Result<(charges: [Int64], overridden: Bool), PartDoesNotFit> {
        var room = unrefunded
        var charges = [Int64](repeating: 0, count: tenders.count)
        var overridden = false
        for part in parts {
            var rest = part.amount.minor
            for i in sources(of: part, in: tenders) where rest > 0 {
                let take = min(room[i], rest)
                room[i] -= take; charges[i] += take; rest -= take
            }
            guard rest > 0 else { continue }
            guard override else { return .failure(PartDoesNotFit(part: part, short: rest)) }
            overridden = true
            for i in tenders.indices where rest > 0 {
                let take = min(room[i], rest)
                room[i] -= take; charges[i] += take; rest -= take
            }
            if rest > 0 { return .failure(PartDoesNotFit(part: part, short: rest)) }
        }
        return .success((charges, overridden))
    }

    public struct PartDoesNotFit: Error, Equatable {
        public var part: Tender
        public var short: Int64
    }
}
