/// What one connection may hold (protocol.md, Resource budgets): `--max-client-buffer` is one
/// number for its input, replies and pushes together. Past it reading pauses and batches shrink;
/// replies left unread past `hardLimitFactor` times it close the connection, except the bytes of
/// a large reply the contract allows (a full LIST page never closes its own connection). Plain
/// arithmetic on a few integers, kept inline in the connection: nothing here allocates or calls
/// out.
struct OutputBudget {
    /// `--max-client-buffer`, in bytes.
    let limit: Int
    /// The bytes of a large reply allowed past the hard limit; cleared once the output drains.
    var allowance = 0
    /// Bytes an encoded reply of this connection took, on average lately: a batch is cut to what
    /// the budget still has room for, so a client that does not read overshoots by a reply, not
    /// by 512 of them.
    private(set) var bytesPerReply = 64

    /// Past this many times the budget of unsent output, the connection is closed.
    static let hardLimitFactor = 16

    init(limit: Int) { self.limit = limit }

    /// Whether more may be read while `queued` bytes are held.
    func hasRoom(queued: Int) -> Bool { queued < limit }

    /// How much one read may take while `queued` bytes are held: no more than the budget has
    /// room for (a frame costs its text and four bytes), and at least a page, so a long line
    /// still arrives.
    func readSize(buffer: Int, queued: Int) -> Int { min(buffer, max(4096, (limit - queued) / 2)) }

    /// Requests the next batch may take while `output` bytes wait: as many as the budget has
    /// room for (at least one), at most `batchSize`.
    func batchRoom(output: Int, batchSize: Int) -> Int {
        min(batchSize, max(1, (limit - output) / max(bytesPerReply, 1)))
    }

    /// A batch's `count` replies took `bytes` in all.
    mutating func noteReplies(count: Int, bytes: Int) {
        bytesPerReply = (bytesPerReply * 3 + bytes / count) / 4
    }

    /// `unsent` bytes of replies wait unread: past the hard limit?
    func overHardLimit(unsent: Int) -> Bool { unsent - allowance > OutputBudget.hardLimitFactor * limit }

    /// Room the output takes at once past 48 KiB, instead of doubling its way there.
    var outputReserve: Int { limit + (128 << 10) }
}
