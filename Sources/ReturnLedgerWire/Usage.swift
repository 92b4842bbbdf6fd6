public import ReturnLedgerCore

/// One usage line per command (and sub-command), for HELP and for SYNTAX messages.
public enum Usage {
    public static let lines: [CommandWord: [String]] = [
        .PING: ["PING"],
        .HELP: ["HELP [command]"],
        .AUTH: ["AUTH user password"],
        .WHOAMI: ["WHOAMI"],
        .QUIT: ["QUIT"],
        .USER: ["USER ADD name role=ROLE password=PW", "USER ROLE name role=ROLE", "USER DISABLE name",
                "USER ENABLE name", "USER PASSWORD name password=PW", "USER LIST"],
        .LOCATION: ["LOCATION ADD code name=TEXT [kind=store|warehouse]", "LOCATION LIST"],
        .SKU: ["SKU ADD sku name=TEXT price=MONEY [cost=MONEY] [inspect=yes|no]", "SKU LIST"],
        .PARTY: ["PARTY ADD customer|supplier id name=TEXT", "PARTY LIST [customer|supplier]"],
        .REASON: ["REASON ADD code label=TEXT", "REASON LIST"],
        .POLICY: ["POLICY SHOW", "POLICY SET window_days=N"],
        .SNAPSHOT: ["SNAPSHOT"],
        .SALE: ["SALE order location=LOC [customer=PARTY] [paid=yes|no] [at=TIME] ITEM..."],
        .PURCHASE: ["PURCHASE order location=LOC supplier=PARTY [at=TIME] ITEM..."],
        .PAYMENT: ["PAYMENT party amount=MONEY direction=in|out [note=TEXT]"],
        .RETURN: ["RETURN order ITEM... reason=CODE [location=LOC] [note=TEXT] [key=KEY]"],
        .APPROVE: ["APPROVE id [refund=cash|credit] [note=TEXT]"],
        .REJECT: ["REJECT id note=TEXT"],
        .CANCEL: ["CANCEL id"],
        .INSPECT: ["INSPECT id restock|scrap [note=TEXT]"],
        .SHOW: ["SHOW id"],
        .LIST: ["LIST [state=S] [kind=sale|purchase] [location=LOC] [from=DATE] [to=DATE] [limit=N]"],
        .DOC: ["DOC RT-YYYYMMDD-NNNN"],
        .NOTICES: ["NOTICES [party=PARTY] [from=DATE]"],
        .STOCK: ["STOCK sku [location=LOC]", "STOCK location=LOC"],
        .BALANCE: ["BALANCE [party]"],
        .STATS: ["STATS [from=DATE] [to=DATE] [kind=sale|purchase] [by=reason|sku|location|clerk|party|day]"],
        .AUDIT: ["AUDIT [user=U] [from=TIME] [limit=N]"],
        .INFO: ["INFO"],
        .DIGEST: ["DIGEST"],
    ]

    static func of(_ word: CommandWord, _ sub: String? = nil) -> String {
        let all = lines[word] ?? [word.rawValue]
        if let sub, let match = all.first(where: { $0.hasPrefix(word.rawValue + " " + sub) }) { return match }
        return all.joined(separator: " | ")
    }
}
