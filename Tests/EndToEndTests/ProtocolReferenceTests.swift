import Foundation
import ReturnLedgerCore
import Testing

/// protocol.md is a reference with one section per command word; these keep its headings and the
/// command table in step.
///
/// The rule: the command chapters are the `## ` headings named in `subjects`, in that order, after
/// the general chapters. Every `### ` heading inside one of them (up to the next `## ` heading) is
/// a command section and must be exactly `### WORD`; `### ` headings in the general chapters
/// (Durability's, say) are not command sections, and `#### ` headings may divide a command's
/// section. Each word of the table has exactly one such heading and each such heading names a word
/// of the table. The contents at the top link to every subject heading, and every link to a
/// heading of the page (`(#anchor)`) finds one, anchors made as GitHub makes them.
@Suite struct ProtocolReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let subjects = [
        "Sessions", "Sales and orders", "Returns", "Review and rules", "Stock", "Money", "Catalogue and users",
        "History and statistics", "Feed, backups and operations", "Push",
    ]

    /// The command words protocol.md must have a section for, in the order HELP lists them.
    static var tableWords: [String] { CommandTable.all.map(\.name) }

    static func lines() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("protocol.md"), encoding: .utf8)
        var lines: [String] = []
        var fenced = false  // a `#` inside a code block is not a heading
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") { fenced.toggle(); lines.append(""); continue }
            lines.append(fenced ? "" : line)
        }
        return lines
    }

    /// The `## ` headings in page order.
    static func chapters(_ lines: [String]) -> [String] {
        lines.filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
    }

    /// The `### ` headings inside the subject chapters: the command sections.
    static func commandHeadings(_ lines: [String]) -> [String] {
        var inSubject = false
        var headings: [String] = []
        for line in lines {
            if line.hasPrefix("## ") {
                inSubject = subjects.contains(String(line.dropFirst(3)))
            } else if inSubject, line.hasPrefix("### ") {
                headings.append(String(line.dropFirst(4)))
            }
        }
        return headings
    }

    /// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`;
    /// a repeated anchor gets `-1`, `-2`...
    static func anchors(_ lines: [String]) -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors: Set<String> = []
        for line in lines where line.hasPrefix("#") {
            let text = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let slug = String(text.lowercased().unicodeScalars.compactMap { scalar -> Character? in
                if scalar == " " { return "-" }
                if scalar == "-" || scalar == "_" || CharacterSet.alphanumerics.contains(scalar) { return Character(scalar) }
                return nil
            })
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            anchors.insert(count == 0 ? slug : "\(slug)-\(count)")
        }
        return anchors
    }

    @Test func everyCommandWordHasExactlyOneSection() throws {
        let headings = ProtocolReferenceTests.commandHeadings(try ProtocolReferenceTests.lines())
        for word in ProtocolReferenceTests.tableWords {
            #expect(headings.filter { $0 == word }.count == 1, "protocol.md: \(word) needs exactly one `### \(word)` section")
        }
    }

    /// The reference reads in the order HELP lists: a new command goes under its subject in both.
    @Test func theSectionsComeInTheTablesOrder() throws {
        #expect(ProtocolReferenceTests.commandHeadings(try ProtocolReferenceTests.lines()) == ProtocolReferenceTests.tableWords)
    }

    @Test func everyCommandSectionNamesACommand() throws {
        let words = Set(ProtocolReferenceTests.tableWords)
        for heading in ProtocolReferenceTests.commandHeadings(try ProtocolReferenceTests.lines()) {
            let known = words.contains(heading)
            #expect(known, "protocol.md: `### \(heading)` is not a command word of CommandTable")
        }
    }

    @Test func theSubjectsComeInOrderAfterTheGeneralChapters() throws {
        let chapters = ProtocolReferenceTests.chapters(try ProtocolReferenceTests.lines())
        let subjects = ProtocolReferenceTests.subjects
        let first = try #require(chapters.firstIndex(of: subjects[0]), "protocol.md has no `## \(subjects[0])`")
        #expect(Array(chapters[first...]) == subjects)
    }

    @Test func theContentsListEverySubject() throws {
        let lines = try ProtocolReferenceTests.lines()
        let start = try #require(lines.firstIndex(of: "## Contents"), "protocol.md has no `## Contents`")
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
        let contents = lines[start..<end].joined(separator: "\n")
        for subject in ProtocolReferenceTests.subjects {
            let anchor = ProtocolReferenceTests.anchors(["## " + subject]).first!
            let listed = contents.contains("[\(subject)](#\(anchor))")
            #expect(listed, "the contents do not link to `## \(subject)`")
        }
    }

    @Test func everyLinkToAHeadingFindsOne() throws {
        let lines = try ProtocolReferenceTests.lines()
        let anchors = ProtocolReferenceTests.anchors(lines)
        let link = try Regex(#"\]\(#([^)\s]+)\)"#)
        for line in lines {
            for match in line.matches(of: link) {
                let anchor = String(line[match.output[1].range!])
                let found = anchors.contains(anchor)
                #expect(found, "protocol.md links to #\(anchor), which no heading makes")
            }
        }
    }
}
