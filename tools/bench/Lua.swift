/// The Redis side of the comparison: the same state changes as ReturnLedger's commands, as Lua
/// scripts loaded once and called with EVALSHA (atomic, like one command on ReturnLedger's
/// writer queue). Money in cents, an idempotency key per return, an audit entry per change.
enum Lua {
    /// ARGV: order, sku, qty, party, user, now
    static let sale = """
        local o = 'order:' .. ARGV[1]
        if redis.call('EXISTS', o) == 1 then return {ARGV[1], 'existed'} end
        local qty = tonumber(ARGV[3])
        local price = tonumber(redis.call('HGET', 'sku:' .. ARGV[2], 'price'))
        if not price then return redis.error_reply('NOT_FOUND sku') end
        local total = qty * price
        redis.call('HSET', o, 'sku', ARGV[2], 'qty', qty, 'price', price, 'returnable', qty, 'party', ARGV[4],
                   'location', 'BENCH1', 'at', ARGV[6])
        redis.call('HINCRBY', 'stock:' .. ARGV[2] .. ':BENCH1', 'on_hand', -qty)
        redis.call('INCRBY', 'balance:' .. ARGV[4], total)
        redis.call('RPUSH', 'ledger:' .. ARGV[4], ARGV[6] .. ' sale ' .. ARGV[1] .. ' ' .. total)
        redis.call('INCRBY', 'balance:' .. ARGV[4], -total)
        redis.call('RPUSH', 'ledger:' .. ARGV[4], ARGV[6] .. ' payment ' .. ARGV[1] .. ' ' .. -total)
        redis.call('RPUSH', 'audit', ARGV[6] .. ' ' .. ARGV[5] .. ' SALE ' .. ARGV[1] .. ' ok')
        return {ARGV[1], total}
        """

    /// ARGV: order, qty, reason, key, user, now
    static let fileReturn = """
        local existing = redis.call('HGET', 'retkeys', ARGV[4])
        if existing then return {existing, 'pending', 'existed'} end
        local o = 'order:' .. ARGV[1]
        local left = tonumber(redis.call('HGET', o, 'returnable'))
        if not left then return redis.error_reply('NOT_FOUND order') end
        local qty = tonumber(ARGV[2])
        if qty > left then return redis.error_reply('EXCEEDS') end
        redis.call('HINCRBY', o, 'returnable', -qty)
        local amount = qty * tonumber(redis.call('HGET', o, 'price'))
        local id = redis.call('INCR', 'seq:return')
        redis.call('HSET', 'return:' .. id, 'order', ARGV[1], 'qty', qty, 'amount', amount, 'reason', ARGV[3],
                   'state', 'pending', 'filed_by', ARGV[5], 'filed_at', ARGV[6], 'key', ARGV[4])
        redis.call('HSET', 'retkeys', ARGV[4], id)
        redis.call('RPUSH', 'audit', ARGV[6] .. ' ' .. ARGV[5] .. ' RETURN ' .. ARGV[1] .. ' ok')
        return {id, 'pending', amount}
        """

    /// ARGV: id, user, now, day
    static let approve = """
        local r = 'return:' .. ARGV[1]
        local state = redis.call('HGET', r, 'state')
        if not state then return redis.error_reply('NOT_FOUND return') end
        if redis.call('HGET', r, 'filed_by') == ARGV[2] then return redis.error_reply('SELF_APPROVAL') end
        if state == 'approved' then return {ARGV[1], 'approved', redis.call('HGET', r, 'doc'), 'existed'} end
        if state ~= 'pending' then return redis.error_reply('STATE') end
        local o = 'order:' .. redis.call('HGET', r, 'order')
        local qty = tonumber(redis.call('HGET', r, 'qty'))
        local amount = tonumber(redis.call('HGET', r, 'amount'))
        local sku = redis.call('HGET', o, 'sku')
        local party = redis.call('HGET', o, 'party')
        local n = redis.call('HINCRBY', 'docs', ARGV[4], 1)
        local doc = 'RT-' .. ARGV[4] .. '-' .. string.format('%04d', n)
        redis.call('HSET', r, 'state', 'approved', 'doc', doc, 'approved_by', ARGV[2], 'approved_at', ARGV[3])
        redis.call('HINCRBY', 'stock:' .. sku .. ':BENCH1', 'on_hand', qty)
        redis.call('INCRBY', 'balance:' .. party, -amount)
        redis.call('RPUSH', 'ledger:' .. party, ARGV[3] .. ' credit_note ' .. doc .. ' ' .. -amount)
        redis.call('INCRBY', 'balance:' .. party, amount)
        redis.call('RPUSH', 'ledger:' .. party, ARGV[3] .. ' payment ' .. doc .. ' ' .. amount)
        redis.call('RPUSH', 'notices', ARGV[3] .. ' ' .. party .. ' refund ' .. doc .. ' ' .. amount)
        redis.call('RPUSH', 'audit', ARGV[3] .. ' ' .. ARGV[2] .. ' APPROVE ' .. ARGV[1] .. ' ok')
        return {ARGV[1], 'approved', doc, amount}
        """

    /// ARGV: sku, location
    static let stock = """
        local v = redis.call('HMGET', 'stock:' .. ARGV[1] .. ':' .. ARGV[2], 'on_hand', 'quarantine')
        return {ARGV[1], ARGV[2], v[1] or '0', v[2] or '0'}
        """
}
