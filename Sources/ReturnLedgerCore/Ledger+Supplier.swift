/// Supplier returns after approval (protocol.md, Supplier returns): the supplier's credit note
/// booked against what the return expected, the difference on its account in the same step.
extension Ledger {
    /// VENDOR CREDIT: NOT_FOUND, DENIED (scope), a re-send (the same amount and ref: the original
    /// reply plus `existed=yes`; other: CONFLICT), INVALID (a customer return), STATE (not
    /// approved, or voided), CLOSED.
    func decideVendorCredit(_ id: String, amount: Money, ref: String, note: String,
                            _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        if let credit = request.supplier?.credit {
            guard credit.amount == amount, credit.ref == ref else {
                throw DomainError(.CONFLICT, "\(id) has its credit note already: \(credit.amount) \(credit.ref)")
            }
            return Decision(events: [], reply: vendorCreditReply(request, credit).existed())
        }
        guard request.kind == .purchase else { throw .invalid("\(id) is a customer return; VENDOR CREDIT books a supplier's credit note") }
        try refuseIfArchived(request)
        guard request.state.isApproved else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue); only approved returns get a credit note") }
        try refuseClosedToday(context, "VENDOR CREDIT")
        guard let difference = amount.adding(-request.expected),
              (balances[request.party] ?? .zero).adding(difference) != nil else { throw .overflow }
        let credit = VendorCredit(amount: amount, ref: ref, note: note, by: context.user, at: context.now)
        return Decision(events: [.vendorCredited(number: request.number, credit: credit)],
                        reply: vendorCreditReply(request, credit))
    }

    /// `OK id= expected= received= difference= ref=`.
    func vendorCreditReply(_ request: ReturnRequest, _ credit: VendorCredit) -> Reply {
        Reply(status: [Field("id", request.id), Field("expected", request.expected.description),
                       Field("received", credit.amount.description),
                       Field("difference", Money(minor: credit.amount.minor - request.expected.minor).description),
                       Field("ref", credit.ref)])
    }

    /// The credit note on the return, and the difference (received − expected) on the supplier's
    /// account against the return's document; none when 0.00.
    mutating func applyVendorCredit(_ number: Int, _ credit: VendorCredit) {
        let index = number - 1
        let request = returns[index]
        let terms = request.supplier ?? SupplierTerms(filedRma: "", source: .on_hand, expected: request.amount)
        returns[index].supplier = terms.with(credit: credit)
        carryOut(Effects.vendorCredit(request, credit), at: credit.at)
        returns[index].history.append(ReturnEvent(at: credit.at, user: credit.by, action: "vendor_credited",
                                                  note: "\(credit.amount) \(credit.ref)" + (credit.note.isEmpty ? "" : ": " + credit.note)))
    }
}

extension Effects {
    /// A supplier's credit note: received − expected on its account, as `credit_difference`.
    static func vendorCredit(_ request: ReturnRequest, _ credit: VendorCredit) -> Effects {
        let difference = Money(minor: credit.amount.minor - request.expected.minor)
        guard difference != .zero else { return Effects() }
        return Effects(postings: [Posting(party: request.party, kind: .credit_difference, doc: request.doc, amount: difference)])
    }
}
