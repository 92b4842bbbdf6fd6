@testable import ReturnLedgerCore
import TestSupport
import Testing

/// An item token (`SKU:QTY[@PRICE][#BATCH][/SERIAL...]`) is read on its bytes; these pin what it
/// accepts and refuses to what the String-based reading it replaced did.
@Suite struct ItemSpecParsingTests {
    func item(_ text: String, allowZero: Bool = false) -> Result<ItemSpec, DomainError> {
        do { return .success(try ItemSpec(parsing: text, allowZero: allowZero)) } catch { return .failure(error) }
    }

    @Test func readsEveryPart() throws {
        #expect(try item("A100:2@12.50#LOT7/SN-1/SN-2").get()
                == ItemSpec(sku: "A100", quantity: 2, price: Money(minor: 1250), batch: "LOT7", serials: ["SN-1", "SN-2"]))
        #expect(try item("A100:+3").get() == ItemSpec(sku: "A100", quantity: 3))
        #expect(try item("A100:-0", allowZero: true).get() == ItemSpec(sku: "A100", quantity: 0))
        #expect(try item("A100:0", allowZero: true).get() == ItemSpec(sku: "A100", quantity: 0))
    }

    @Test(arguments: [
        ("A100:0", "quantity in A100:0 must be a whole number from 1 to 1000000"),
        ("A100:1000001", "quantity in A100:1000001 must be a whole number from 1 to 1000000"),
        ("A100:99999999999999999999", "quantity in A100:99999999999999999999 must be a whole number from 1 to 1000000"),
        ("A100:", "quantity in A100: must be a whole number from 1 to 1000000"),
        ("A100:+", "quantity in A100:+ must be a whole number from 1 to 1000000"),
        ("A100:1 ", "quantity in A100:1  must be a whole number from 1 to 1000000"),
        ("A100:١", "quantity in A100:١ must be a whole number from 1 to 1000000"),
        ("A100", "item A100 must be SKU:QTY[@PRICE][#BATCH][/SERIAL...]"),
        ("A100@5:1", "price 5:1 in A100@5:1 is not money"),
        ("A100#B:1", "batch must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("A100:1@x", "price x in A100:1@x is not money"),
        ("A100:1@-2", "price -2 in A100:1@-2 is not money"),
        ("A100:1#", "batch must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("A100:1#L@5", "batch must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("A100:1/SN//SN2", "serial must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("A100:1/", "serial must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("A100:1/S\u{301}", "serial must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        ("Ä100:1", "sku must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        (":1", "sku must be 1-64 characters of A-Z a-z 0-9 . _ -"),
    ])
    func refusalsNameWhatIsWrong(text: String, message: String) {
        guard case .failure(let error) = item(text) else { Issue.record("\(text) accepted"); return }
        #expect(error.code == .INVALID)
        #expect(error.message == message)
    }

    /// An exchange's list: its parts as single items read them, an empty part refused as one.
    @Test func anItemListIsItsPartsRead() throws {
        #expect(try ItemSpec.list(parsing: "A200:1,B300:2@4.50#L1,C1:1/S1/S2")
                == [ItemSpec(sku: "A200", quantity: 1), ItemSpec(sku: "B300", quantity: 2, price: Money(minor: 450), batch: "L1"),
                    ItemSpec(sku: "C1", quantity: 1, serials: ["S1", "S2"])])
        for (text, message) in [("A200:1,", "item  must be SKU:QTY[@PRICE][#BATCH][/SERIAL...]"),
                                (",A200:1", "item  must be SKU:QTY[@PRICE][#BATCH][/SERIAL...]"),
                                ("A200:1,,B1:1", "item  must be SKU:QTY[@PRICE][#BATCH][/SERIAL...]"),
                                ("A200:1,B1:0", "quantity in B1:0 must be a whole number from 1 to 1000000"),
                                ("A200:1,Ä1:1", "sku must be 1-64 characters of A-Z a-z 0-9 . _ -")] {
            #expect(throws: DomainError(.INVALID, message), "\(text)") { try ItemSpec.list(parsing: text) }
        }
    }

    /// The quantity reads exactly as `Int64(text)` does, over random texts of signs, digits and
    /// a few other bytes.
    @Test func wholeNumbersReadAsInt64Does() {
        var random = SeededGenerator(seed: testSeed("wholeNumbersReadAsInt64Does"))
        let alphabet = Array("+-0123456789 x.".utf8)
        for round in 0..<20_000 {
            let count = Int.random(in: 0...22, using: &random)
            let bytes = (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            let text = String(decoding: bytes, as: UTF8.self)
            let read = bytes.withUnsafeBufferPointer { ItemSpec.wholeNumber($0) }
            #expect(read == Int64(text), "round \(round): \(text)")
            if read != Int64(text) { return }
        }
        for text in ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "+0", "-"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { ItemSpec.wholeNumber($0) } == Int64(text), "\(text)")
        }
    }
}
