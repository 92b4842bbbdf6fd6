/// The replies of RETURN and APPROVE.
extension Ledger {
    /// RETURN's reply; a re-sent RETURN of an auto-approved return answers as the filing did.
    func filedReply(_ request: ReturnRequest) -> Reply {
        if request.flow.auto, request.approvedBy == Ledger.systemUser, request.approvedAt == request.filedAt {
            return autoApprovedReply(request, nil)
        }
        return Reply(status: [Field("id", request.id), Field("state", ReturnState.pending.rawValue),
                              Field("kind", request.kind.rawValue), Field("amount", request.amount.description),
                              Field("doc", "")])
    }

    /// `OK id= state=approved|inspecting kind= amount= doc= fee= net= exchange_order= due= refund= tender= tax= net_tax=`.
    func autoApprovedReply(_ request: ReturnRequest, _ auto: Approved?) -> Reply {
        // A re-send names the state the filing answered with, whatever came after (as APPROVE's).
        let state = auto?.state ?? approvedState(request)
        let tail = auto?.tail ?? ApprovalTail(request)
        var status = [Field]()
        status.reserveCapacity(13)
        status += [Field("id", request.id), Field("state", state.rawValue), Field("kind", request.kind.rawValue),
                   Field("amount", request.amount.description), Field("doc", tail.doc)]
        tail.append(to: &status)
        return Reply(status: status)
    }

    /// APPROVE's reply, from the return as approved (a re-send) or as an approval about to leave it.
    func approvedReply(_ request: ReturnRequest, _ tail: ApprovalTail, state: ReturnState) -> Reply {
        // One array of its final size: joining two arrays cost an allocation and a copy.
        var status = [Field]()
        status.reserveCapacity(12)
        status.append(Field("id", request.id))
        status.append(Field("state", state.rawValue))
        status.append(Field("doc", tail.doc))
        status.append(Field("amount", request.amount.description))
        tail.append(to: &status)
        return Reply(status: status)
    }

    func approvedReply(_ request: ReturnRequest, state: ReturnState) -> Reply {
        approvedReply(request, ApprovalTail(request), state: state)
    }

    /// The reply of a first approval: nothing has moved, so no document and no money yet.
    func firstApprovalReply(_ request: ReturnRequest) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.second_review.rawValue), Field("doc", ""),
                       Field("amount", request.amount.description), Field("fee", ""), Field("net", ""),
                       Field("exchange_order", ""), Field("due", ""), Field("refund", ""), Field("tender", ""),
                       Field("tax", ""), Field("net_tax", "")])
    }

    /// The state the first approval reply of an approved return named.
    func approvedState(_ request: ReturnRequest) -> ReturnState {
        request.items.contains { $0.quarantined } ? .inspecting : .approved
    }
}

/// What an approval that completes a return answers with after its id, state and amount
/// (protocol.md: APPROVE): the document, the fee kept, the net credited, an exchange's sale and
/// difference (`""` both without one), the parts handed back and the tenders that paid a due.
/// Made from the return once approved, or from the return and its approval before `apply` runs
/// (without copying the return).
struct ApprovalTail {
    var doc: String
    var fee: Money
    var net: Money
    var exchangeOrder: String
    var due: String
    var refund: [Tender]
    var tender: [Tender]
    /// The return's tax and what of it the credit note gives back (protocol.md, Tax).
    var tax: Money
    var netTax: Money

    init(_ request: ReturnRequest) {
        doc = request.doc; fee = request.fee; net = request.net; exchangeOrder = request.exchangeOrder
        due = request.exchange.isEmpty ? "" : request.due.description
        refund = request.refundParts; tender = request.dueTenders
        tax = request.tax; netTax = request.netTax
    }

    init(_ request: ReturnRequest, doc: String, _ outcome: ApprovalOutcome) {
        self.doc = doc
        fee = outcome.fee
        net = Money(minor: request.amount.minor - fee.minor)
        exchangeOrder = request.exchangeOrder
        due = request.exchange.isEmpty ? "" : outcome.due.description
        refund = outcome.parts ?? []
        tender = outcome.dueTenders
        tax = request.tax
        netTax = Money(minor: request.tax.minor - outcome.feeTax.minor)
    }

    func append(to status: inout [Field]) {
        status.append(Field("fee", fee.description))
        status.append(Field("net", net.description))
        status.append(Field("exchange_order", exchangeOrder))
        status.append(Field("due", due))
        status.append(Field("refund", Tender.text(refund)))
        status.append(Field("tender", Tender.text(tender)))
        status.append(Field("tax", tax.description))
        status.append(Field("net_tax", netTax.description))
    }
}
