import Foundation
@testable import ReturnLedgerCore
import Testing
import TestSupport

/// The shop's time zones: offsets read from the system's tzdata, the TZif table and its POSIX footer.
@Suite struct BusinessZoneTests {
    /// `TZ=zone date -d @t +%z` on the machine that wrote this (tzdata 2025b): DST edges to the
    /// second, half- and quarter-hour zones, a negative daylight saving (Dublin), a half-hour one
    /// (Lord Howe), and instants past 2037 that only the footer rule answers.
    static let known: [(String, Int64, String)] = [
        ("Asia/Shanghai", 1772386200, "+0800"), ("Asia/Shanghai", 662688000, "+0800"), ("Asia/Shanghai", 3000000000, "+0800"),
        ("Europe/Berlin", 1772386200, "+0100"), ("Europe/Berlin", 1774745999, "+0100"), ("Europe/Berlin", 1774746000, "+0200"),
        ("Europe/Berlin", 1792890000, "+0100"), ("Europe/Berlin", 2000000000, "+0200"), ("Europe/Berlin", 2500000000, "+0100"),
        ("America/New_York", 1772953199, "-0500"), ("America/New_York", 1772953200, "-0400"), ("America/New_York", 2500000000, "-0400"),
        ("America/New_York", 2521000000, "-0500"), ("America/New_York", 4102444800, "-0500"), ("America/New_York", 662688000, "-0500"),
        ("Australia/Sydney", 1772386200, "+1100"), ("Australia/Sydney", 1775321999, "+1000"), ("Australia/Sydney", 2000000000, "+1000"),
        ("Australia/Sydney", 2500000000, "+1100"), ("Asia/Kolkata", 1772386200, "+0530"), ("Asia/Kathmandu", 2000000000, "+0545"),
        ("Europe/Dublin", 1772386200, "+0000"), ("Europe/Dublin", 1774746000, "+0100"), ("Europe/Dublin", 2000000000, "+0100"),
        ("Europe/Dublin", 2500000000, "+0000"), ("Australia/Lord_Howe", 2000000000, "+1030"), ("Australia/Lord_Howe", 2500000000, "+1100"),
        ("America/Sao_Paulo", 662688000, "-0200"), ("America/Sao_Paulo", 2000000000, "-0300"),
        ("Pacific/Chatham", 2000000000, "+1245"), ("Pacific/Chatham", 2500000000, "+1345"),
    ]

    static func seconds(_ z: String) -> Int64 {
        let b = Array(z.utf8), v = (Int64(b[1] - 48) * 10 + Int64(b[2] - 48)) * 3600 + (Int64(b[3] - 48) * 10 + Int64(b[4] - 48)) * 60
        return b[0] == UInt8(ascii: "-") ? -v : v
    }

    @Test func offsetsMatchTheTableWrittenFromDate() throws {
        for (name, t, expected) in Self.known {
            let zone = try #require(BusinessZone.named(name), "\(name) in tzdata")
            #expect(zone.offset(at: Timestamp(seconds: t)) == Self.seconds(expected), "\(name) at \(t)")
        }
    }

    /// The same as the C library, through coreutils `date`, at random instants from 1950 to 2100.
    @Test func offsetsMatchTheCLibraryAtRandomInstants() throws {
        var rng = SeededGenerator(seed: testSeed("offsetsMatchTheCLibraryAtRandomInstants"))
        for name in ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/Dublin", "Asia/Shanghai", "America/Santiago",
                     "Australia/Lord_Howe", "Africa/Casablanca", "Asia/Tehran", "Pacific/Auckland"] {
            let zone = try #require(BusinessZone.named(name))
            let instants = (0..<400).map { _ in Int64.random(in: -631_152_000...4_102_444_800, using: &rng) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/date")
            process.arguments = ["-f", "-", "+%z"]
            process.environment = ["TZ": name]
            let input = Pipe(), output = Pipe()
            process.standardInput = input; process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(instants.map { "@\($0)\n" }.joined().data(using: .utf8)!)
            try input.fileHandleForWriting.close()
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            process.waitUntilExit()
            try #require(lines.count == instants.count)
            var wrong: [Int64] = []
            for (t, z) in zip(instants, lines) where zone.offset(at: Timestamp(seconds: t)) != Self.seconds(String(z)) { wrong.append(t) }
            #expect(wrong.isEmpty, "\(name): \(wrong.prefix(5))")
        }
    }

    @Test func fixedOffsetsAndRefusals() {
        #expect(BusinessZone.named("+08:00")?.offset(at: Timestamp(seconds: 0)) == 28_800)
        #expect(BusinessZone.named("-03:30")?.offset(at: Timestamp(seconds: 0)) == -12_600)
        #expect(BusinessZone.named("UTC") == .utc)
        for bad in ["Mars/Olympus", "+25:00", "+8", "../../etc/passwd", "/etc/localtime", "Asia/../Asia/Shanghai", "", "Asia/", "posixrules x"] {
            #expect(BusinessZone.named(bad) == nil, "\(bad)")
        }
    }

    @Test func theLocalDateOfAnInstant() throws {
        let shanghai = try #require(BusinessZone.named("Asia/Shanghai"))
        #expect(shanghai.date(of: Timestamp(parsing: "2026-03-01T17:30:00Z")!).description == "2026-03-02")
        #expect(shanghai.date(of: Timestamp(parsing: "2026-03-01T15:59:59Z")!).description == "2026-03-01")
        #expect(BusinessZone.named("-05:00")!.date(of: Timestamp(parsing: "2026-03-01T04:59:59Z")!).description == "2026-02-28")
    }

    @Test func posixRulesParse() {
        #expect(PosixRule("CET-1CEST,M3.5.0,M10.5.0/3")?.daylight != nil)
        #expect(PosixRule("<+0545>-5:45")?.standard == 20_700)
        #expect(PosixRule("IST-2IDT,M3.4.4/26,M10.5.0")?.daylight?.start.time == 93_600)
        #expect(PosixRule("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1")?.daylight?.end.time == -3600)
        #expect(PosixRule("EST5EDT,M3.2.0,M11.1.0")?.standard == -18_000)
        for bad in ["", "C-1", "CET", "CET-1CEST", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0"] { #expect(PosixRule(bad) == nil, "\(bad)") }
    }
}
