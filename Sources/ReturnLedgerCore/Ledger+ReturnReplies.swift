/// The replies of RETURN and APPROVE, and the view of a return an approval answers with.
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

    /// `OK id= state=approved|inspecting kind= amount= doc= fee= net= exchange_order= due=`.
    func autoApprovedReply(_ request: ReturnRequest, _ auto: Approved?) -> Reply {
        // A re-send names the state the filing answered with, whatever came after (as APPROVE's).
        let state = auto?.approval.outcome?.state ?? approvedState(request)
        let view = auto.map { approvedView(request, $0.approval) } ?? request
        var status = [Field]()
        status.reserveCapacity(11)
        status += [Field("id", request.id), Field("state", state.rawValue), Field("kind", request.kind.rawValue),
                   Field("amount", request.amount.description), Field("doc", view.doc)]
        appendApprovalTail(view, to: &status)
        return Reply(status: status)
    }

    /// The tail of an approval that completes a return (protocol.md: APPROVE): the fee kept, the
    /// net credited, and for an exchange its sale and the difference (`""` both without one).
    func appendApprovalTail(_ request: ReturnRequest, to status: inout [Field]) {
        status.append(Field("fee", request.fee.description))
        status.append(Field("net", request.net.description))
        status.append(Field("exchange_order", request.exchangeOrder))
        status.append(Field("due", request.exchange.isEmpty ? "" : request.due.description))
        // Protocol.md, Refund tender: the parts handed back and the tenders that paid a due.
        status.append(Field("refund", Tender.text(request.refundParts)))
        status.append(Field("tender", Tender.text(request.dueTenders)))
    }

    /// The request as the approval leaves it, for the reply sent before `apply` runs.
    func approvedView(_ request: ReturnRequest, _ approval: Approval) -> ReturnRequest {
        var view = request
        view.doc = approval.doc
        view.fee = approval.outcome?.fee ?? .zero
        view.feeRate = approval.outcome?.feeRate ?? .zero
        view.due = approval.outcome?.due ?? .zero
        view.refundParts = approval.outcome?.parts ?? []
        view.dueTenders = approval.outcome?.dueTenders ?? []
        return view
    }

    func approvedReply(_ request: ReturnRequest, state: ReturnState) -> Reply {
        // One array of its final size: joining two arrays cost an allocation and a copy.
        var status = [Field]()
        status.reserveCapacity(10)
        status.append(Field("id", request.id))
        status.append(Field("state", state.rawValue))
        status.append(Field("doc", request.doc))
        status.append(Field("amount", request.amount.description))
        appendApprovalTail(request, to: &status)
        return Reply(status: status)
    }

    /// The reply of a first approval: nothing has moved, so no document and no money yet.
    func firstApprovalReply(_ request: ReturnRequest) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.second_review.rawValue), Field("doc", ""),
                       Field("amount", request.amount.description), Field("fee", ""), Field("net", ""),
                       Field("exchange_order", ""), Field("due", ""), Field("refund", ""), Field("tender", "")])
    }

    /// The state the first approval reply of an approved return named.
    func approvedState(_ request: ReturnRequest) -> ReturnState {
        request.items.contains { $0.quarantined } ? .inspecting : .approved
    }
}
