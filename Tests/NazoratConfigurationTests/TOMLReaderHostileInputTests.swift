import Foundation
@testable import NazoratConfiguration
import NazoratTestbed
import Testing

/// What a broken or hostile nazorat.toml does to the reader: an error at a place, never a
/// crash, a hang, unbounded recursion or a control character echoed to the terminal.
@Suite struct TOMLReaderHostileInputTests {
    private let file = "/etc/nazorat/nazorat.toml"

    private func error(_ text: String) -> String? {
        do {
            _ = try TOMLReader.parse(text, file: file)
            return nil
        } catch {
            return "\(error.line):\(error.column): \(error.message)"
        }
    }

    @Test func nestingIsBoundedInListsAndHeaders() throws {
        let deepest = "key = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(error(deepest) == nil)
        let tooDeep = "key = " + String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(error(tooDeep) == "1:39: lists nested more than 32 deep are not supported in nazorat.toml")
        #expect(error("key = " + String(repeating: "[", count: 100_000))
            == "1:39: lists nested more than 32 deep are not supported in nazorat.toml")
        #expect(error(String(repeating: "[", count: 100_000)) == "1:3: expected a table name, such as [policy]")
    }

    @Test func hugeIntegersAreErrorsWithABoundedEcho() throws {
        let message = try #require(error("write-queue = " + String(repeating: "9", count: 100_000)))
        #expect(message.hasPrefix("1:15: 999") && message.hasSuffix("does not fit in an integer of nazorat.toml "
            + "(-9223372036854775808 to 9223372036854775807)"))
        #expect(message.utf8.count < 250)
        #expect(error("key = 0b" + String(repeating: "1", count: 64))?.hasPrefix("1:7: 0b111") == true)
        #expect(error("key = 0b" + String(repeating: "1", count: 63)) == nil)
    }

    @Test func unterminatedStringsAndListsPointAtWhereTheyStart() {
        #expect(error("station = \"A\"\nmode = \"monitor\n") == "2:8: this string is not closed: add a \" before the end of the line")
        #expect(error("mode = 'monitor") == "1:8: this string is not closed: add a ' before the end of the line")
        #expect(error("mode = \"monitor\\") == "1:8: this string is not closed: add a \" before the end of the line")
        #expect(error("key = \"\\u12") == "1:8: \\u takes exactly 4 hex digits")
        #expect(error("[[interfaces]]\nallow = [\"08:*:*\",\n  # more to come\n") == "2:9: this list is not closed: add a ']' after its last element")
        #expect(error("key = [1") == "1:7: this list is not closed: add a ']' after its last element")
        #expect(error("[\"policy") == "1:2: this string is not closed: add a \" before the end of the line")
    }

    @Test func nulBytesAreRefusedAtTheirPlace() {
        #expect(error("station = \"A\"\nmode = \"mon\0itor\"\n") == "2:12: the file contains a NUL byte: nazorat.toml must be text")
        #expect(error("\0") == "1:1: the file contains a NUL byte: nazorat.toml must be text")
    }

    @Test func invalidUTF8IsRefusedAtItsPlace() throws {
        let bytes = Array("station = \"A\"\nmode = \"é".utf8) + [0xFF] + Array("\"\n".utf8)
        #expect(throws: ConfigurationError(file: file, line: 2, column: 10,
                                           message: "the file is not valid UTF-8 (byte 0xFF): save it as UTF-8")) {
            try TOMLReader.text(utf8: bytes, file: file)
        }
        #expect(throws: ConfigurationError.self) { try TOMLReader.text(utf8: [0xC3], file: file) }  // cut in the middle
        #expect(try TOMLReader.text(utf8: Array("a = \"é\"".utf8), file: file) == "a = \"é\"")

        // Configuration.load reads bytes, so the check applies to files.
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/nazorat.toml"
        try Data([0x73, 0x3D, 0xC0, 0x80]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError(file: path, line: 1, column: 3,
                                           message: "the file is not valid UTF-8 (byte 0xC0): save it as UTF-8")) {
            try Configuration.load(path: path)
        }
    }

    @Test func crlfLineEndingsAreLineEndings() throws {
        let table = try TOMLReader.parse("a = 1\r\nb = \"x\" # c\r\n\r\n[t]\r\nc = [1,\r\n 2, # two\r\n]\r\n", file: file)
        #expect(table["b"]?.keyPosition == TOMLPosition(line: 2, column: 1))
        #expect(table["t"]?.value.table?["c"]?.value.array?.map(\.position)
            == [TOMLPosition(line: 5, column: 6), TOMLPosition(line: 6, column: 2)])
        #expect(error("a = 1\r\nb = 2 x") == "2:7: expected the end of the line after the value: write one key = value per line")
        #expect(error("a = 1\rb = 2") == "1:6: a carriage return must be followed by a line feed (CR LF)")
        #expect(error("a = \"x\ry\"") == "1:7: the control character U+000D is not allowed in a string; write it as \\u000D")
        #expect(error("a = \"x\r\n") == "1:5: this string is not closed: add a \" before the end of the line")
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let table = try TOMLReader.parse("\u{FEFF}station = \"A\"\n", file: file)
        #expect(table["station"]?.keyPosition == TOMLPosition(line: 1, column: 1))
        #expect(error("\u{FEFF}x = \0") == "1:5: the file contains a NUL byte: nazorat.toml must be text")
        #expect(error("a = 1\n\u{FEFF}b = 2")?.hasPrefix("2:1: expected a key") == true)
    }

    @Test func errorsNeverEchoAControlCharacter() {
        let hostile = ["\"\\u001b[2J\" = 1\n\"\\u001b[2J\" = 2\n", "[\"\\u0007\"]\n[\"\\u0007\"]\n", "key = 1\u{1B}",
                       "key = \u{1B}", "\"\\u009b\" = 1\n\"\\u009b\" = 2", "key = 1\u{85}2", "\u{202E}key = 1"]
        for text in hostile {
            let message = error(text)
            #expect(message != nil, "\(text.debugDescription)")
            #expect(message?.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } == false,
                    "\(message.debugDescription)")
        }
        #expect(error("\"\\u001b[2J\" = 1\n\"\\u001b[2J\" = 2\n") == "2:1: '\\x1b[2J' is defined twice: first at line 1")
    }

    /// The shipped files, and the examples `systemd/nazorat.toml` gives in comments.
    @Test(arguments: ["systemd/nazorat.toml", "dev/demo.toml", "dev/nazorat.toml"])
    func theShippedConfigurationsLoad(_ name: String) throws {
        let path = Repository.root + "/" + name
        _ = try Configuration.load(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("#[") || line.wholeMatch(of: /#[a-z-]+ = .*/) != nil ? line.dropFirst() : line
        }.joined(separator: "\n")
        let configuration = try Configuration.parse(uncommented, file: path)
        if name == "systemd/nazorat.toml" {
            #expect(configuration.uplink?.heartbeatInterval == 15 && configuration.interfaces.entries.count == 3)
        }
    }
}
