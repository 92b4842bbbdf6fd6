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
        return Reply(status: [Field("id", request.id), Field("state", state.rawValue),
                              Field("kind", request.kind.rawValue), Field("amount", request.amount.description),
                              Field("doc", view.doc)] + approvalTail(view))
    }

    /// The tail of an approval that completes a return (protocol.md: APPROVE): the fee kept, the
    /// net credited, and for an exchange its sale and the difference (`""` both without one).
    func approvalTail(_ request: ReturnRequest) -> [Field] {
        let exchange = !request.exchange.isEmpty
        return [Field("fee", request.fee.description), Field("net", request.net.description),
                Field("exchange_order", request.exchangeOrder), Field("due", exchange ? request.due.description : "")]
    }

    /// The request as the approval leaves it, for the reply sent before `apply` runs.
    func approvedView(_ request: ReturnRequest, _ approval: Approval) -> ReturnRequest {
        var view = request
        view.doc = approval.doc
        view.fee = approval.outcome?.fee ?? .zero
        view.feeRate = approval.outcome?.feeRate ?? .zero
        view.due = approval.outcome?.due ?? .zero
        return view
    }

    func approvedReply(_ request: ReturnRequest, state: ReturnState) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", state.rawValue), Field("doc", request.doc),
                       Field("amount", request.amount.description)] + approvalTail(request))
    }

    /// The reply of a first approval: nothing has moved, so no document and no money yet.
    func firstApprovalReply(_ request: ReturnRequest) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.second_review.rawValue), Field("doc", ""),
                       Field("amount", request.amount.description), Field("fee", ""), Field("net", ""),
                       Field("exchange_order", ""), Field("due", "")])
    }

    /// The state the first approval reply of an approved return named.
    func approvedState(_ request: ReturnRequest) -> ReturnState {
        request.items.contains { $0.quarantined } ? .inspecting : .approved
    }
}
