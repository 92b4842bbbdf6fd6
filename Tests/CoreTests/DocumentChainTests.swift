import ReturnLedgerCore
import Testing

/// The document chain (protocol.md, VERIFY): each document's hash over the previous hash and its
/// canonical text, decided once as it is issued; VERIFY recomputes it and names the first document
/// whose values no longer give its stored hash.
@Suite struct DocumentChainTests {
    /// Three customer returns approved one after the other: a cash refund, store credit, a fee.
    static func threeDocuments() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", paid: true, item("A100", 2), item("C400", 3)))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: .cash, note: ""), as: "sup1")
        desk.ok(Desk.ret("S1", item("C400", 2), note: "两盒"), as: "clerk1")
        desk.ok(.approve(id: "R000002", refund: .credit, note: ""), as: "sup1")
        desk.ok(Desk.ret("S1", item("A100", 1), reason: "CHANGED_MIND"), as: "clerk1")
        desk.ok(.approve(id: "R000003", refund: .cash, fee: Percent(hundredths: 1000), note: ""), as: "sup1")
        return desk
    }

    /// The contract's canonical text, written out by hand for the first document.
    @Test func theCanonicalTextIsTheContractsLinesInOrder() {
        let desk = Self.threeDocuments()
        let request = desk.ledger.returns[0]
        let text = String(decoding: Ledger.canonicalText(DocumentHeader(request), request), as: UTF8.self)
        #expect(text == "doc=RT-20261129-0001 doc_type=return voids=\"\" date=2026-11-29 issued_at=2026-11-29T10:00:00Z "
                + "return=R000001 kind=sale party=C1 order=S1 location=STORE1 reason=DEFECTIVE filed_by=clerk1 approved_by=sup1 "
                + "amount=25.00 tax=0.00 fee=0.00 fee_tax=0.00 net=25.00 net_tax=0.00 refund=cash:25.00 tender=\"\" "
                + "exchange_order=\"\" due=\"\"\n"
                + "part=item sku=A100 qty=1 batch=\"\" price=25.00 amount=25.00 tax_rate=0.00 tax=0.00\n")
        // SHA-256 of 64 zeros, LF and that text (Python: hashlib.sha256(("0"*64+"\n"+text).encode()).hexdigest()).
        #expect(request.docHash.description == "2271d2ae7ea43dfbd54bfb364318d4d340376f77073234bc879faa579456ad3a")
        #expect(DocHash(hex: request.docHash.description) == request.docHash)
    }

    @Test func verifyWalksTheChainAndDocShowsEachLink() throws {
        var desk = Self.threeDocuments()
        let docs = desk.ledger.returns.map(\.doc)
        #expect(docs == ["RT-20261129-0001", "RT-20261129-0002", "RT-20261129-0003"])
        var previous = String(repeating: "0", count: 64)
        for doc in docs {
            let reply = desk.ok(.doc(number: doc))
            #expect(reply["prev"] == previous && reply["doc_type"] == "return" && reply["voids"] == "" && reply["voided"] == "")
            previous = reply["hash"]!
        }
        #expect(desk.ok(.doc(number: docs[1]))["refund"] == "credit:13.00")
        let verified = desk.ok(.verify(from: nil), as: "aud1")
        #expect(verified["count"] == "3" && verified["last"] == docs[2] && verified["hash"] == previous)
        // From a later document: trusts the stored hash of the one before it.
        #expect(desk.ok(.verify(from: docs[1]), as: "aud1")["count"] == "2")
        #expect(desk.fails(.verify(from: "RT-20261129-0009")) == .NOT_FOUND)
        #expect(desk.fails(.verify(from: "nope")) == .NOT_FOUND)
        desk.expectReplays()
    }

    @Test func anEmptyChainVerifiesToZeros() {
        var desk = Desk.shop()
        let reply = desk.ok(.verify(from: nil), as: "aud1")
        #expect(reply["count"] == "0" && reply["last"] == "" && reply["hash"] == String(repeating: "0", count: 64))
    }

    /// A document whose values were changed after it was issued: VERIFY names it; documents after
    /// it still check from their stored links.
    @Test func anAlteredDocumentIsTheChainsFirstBreak() {
        var desk = Self.threeDocuments()
        desk.ledger.returns[1].items[0].quantity = 1
        guard case .failure(let error) = desk.run(.verify(from: nil), as: "aud1") else {
            Issue.record("VERIFY passed over an altered document")
            return
        }
        #expect(error.code == .CHAIN && error.message.hasPrefix("RT-20261129-0002 "))
        #expect(desk.ok(.verify(from: "RT-20261129-0003"), as: "aud1")["count"] == "1")
    }

    /// Records written before the chain carry no hash: replaying them chains each document as it
    /// is applied, to the hashes the approvals would have decided.
    @Test func olderApprovalsAreChainedAsTheyAreLoaded() {
        let desk = Self.threeDocuments()
        var older = Ledger()
        for event in desk.events {
            guard case .returnApproved(var approval) = event else {
                older.apply(event)
                continue
            }
            approval.hash = nil
            older.apply(.returnApproved(approval))
        }
        #expect(older == desk.ledger)
    }

    /// An exchange's replacement goods are in the text as `part=exchange` lines after the items.
    @Test func anExchangeAddsItsGoods() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", at: "STORE1", item("A100", 1)))  // the kettle handed over is on hand (section 22.3)
        desk.ok(Desk.sale("S1", customer: "C1", paid: true, item("C400", 2)))
        desk.ok(.fileReturn(ReturnFiling(order: "S1", items: [item("C400", 2)], reason: "CHANGED_MIND", location: nil, note: "",
                                         key: nil, exchange: [item("A100", 1)],
                                         exchangeText: "A100:1")), as: "clerk1")
        desk.ok(.approve(ApprovalRequest(id: "R000001", refund: nil, fee: .zero, note: "", tender: [Tender(.cash, m("12.00"))])),
                as: "sup1")
        let request = desk.ledger.returns[0]
        let lines = String(decoding: Ledger.canonicalText(DocumentHeader(request), request), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasSuffix("refund=\"\" tender=cash:12.00 exchange_order=X-R000001 due=12.00"))
        #expect(lines[2] == "part=exchange sku=A100 qty=1 batch=\"\" price=25.00 amount=25.00 tax_rate=0.00 tax=0.00")
        #expect(desk.ok(.verify(from: nil), as: "aud1")["count"] == "1")
        desk.expectReplays()
    }
}
