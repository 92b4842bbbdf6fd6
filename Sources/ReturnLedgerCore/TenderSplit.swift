/// How a refund is shared over the tenders a sale was paid with (protocol.md, Refund tender).
/// Pure arithmetic on minor units, so every rule is tested on its own.
public enum TenderSplit {
    /// `amount` shared in proportion to `weights`: each share floor(amount × weight / total), the
    /// cents left one each to the largest remainders (ties: the earlier). Weights ≥ 0, total > 0.
    /// The one split of the contract's rule: a refund over a sale's tenders, an exchange's change
    /// over the parts, and a sale's discount over its lines (`TaxRule.discountShares`).
    public static func proportional(_ amount: Int64, weights: [Int64]) -> [Int64] {
        // One tender (most sales): all of it, no arithmetic.
        if weights.count == 1 { return [weights[0] > 0 ? amount : 0] }
        var total = Int128(0)
        for w in weights { total += Int128(w) }
        guard total > 0 else { return [Int64](repeating: 0, count: weights.count) }
        var shares = [Int64](repeating: 0, count: weights.count)
        var rests = [Int128](repeating: 0, count: weights.count)
        var left = amount
        for i in weights.indices {
            let exact = Int128(amount) * Int128(weights[i])
            shares[i] = Int64(exact / total)
            rests[i] = exact % total
            left -= shares[i]
        }
        // The cents left (fewer than the tenders), one each to the largest remainder; a strict `>`
        // keeps a tie with the earlier tender.
        while left > 0 {
            var best = 0
            for i in rests.indices where rests[i] > rests[best] { best = i }
            shares[best] += 1
            rests[best] = -1
            left -= 1
        }
        return shares
    }

    /// `refund=original`: the net shared in proportion to what each tender paid; a share above
    /// what is unrefunded of its tender is cut to that, the excess going to the tenders with room
    /// in sale order. Nil when the tenders together have less room than the net.
    public static func mirror(_ net: Int64, paid: [Int64], unrefunded: [Int64]) -> [Int64]? {
        if paid.count == 1 { return net <= unrefunded[0] ? [net] : nil }
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

    /// `mirror` over a sale's tenders and what returns have charged to each, as the charges; one
    /// tender (most sales) without building the lists.
    public static func mirror(_ net: Money, over tenders: [Tender], refunded: [Money]) -> [Money]? {
        if tenders.count == 1 { return net.minor <= tenders[0].amount.minor - (refunded.first?.minor ?? 0) ? [net] : nil }
        return mirror(net.minor, paid: tenders.map(\.amount.minor), unrefunded: unrefunded(tenders, refunded))?.map { Money(minor: $0) }
    }

    /// What is left to refund of each tender, in minor units (`refunded` may be shorter: none yet).
    public static func unrefunded(_ tenders: [Tender], _ refunded: [Money]) -> [Int64] {
        tenders.indices.map { tenders[$0].amount.minor - (refunded.indices.contains($0) ? refunded[$0].minor : 0) }
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
