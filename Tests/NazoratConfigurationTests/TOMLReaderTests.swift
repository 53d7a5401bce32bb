@testable import NazoratConfiguration
import Testing

/// The TOML reader: each feature nazorat.toml uses, with the positions it records, and each
/// part of TOML it refuses, with the sentence and the place.
@Suite struct TOMLReaderTests {
    private func parse(_ text: String) throws(ConfigurationError) -> TOMLTable {
        try TOMLReader.parse(text, file: "/etc/nazorat/nazorat.toml")
    }

    /// `line:column: message`, or nil when `text` parses.
    private func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return "\(error.line):\(error.column): \(error.message)"
        }
    }

    private func value(_ text: String, _ key: String = "key") throws -> TOMLValue.Kind? {
        try parse(text)[key]?.value.kind
    }

    private func at(_ line: Int, _ column: Int) -> TOMLPosition { TOMLPosition(line: line, column: column) }

    @Test func commentsAndBlankLinesAreSkippedAndPositionsKept() throws {
        let table = try parse("# a comment\n\n  key = 1   # after the value\n\t# indented\n")
        #expect(table.keys == ["key"])
        #expect(table["key"] == .init(keyPosition: at(3, 3), value: TOMLValue(kind: .integer(1), position: at(3, 9))))
    }

    @Test func keysAreBareOrQuotedAndKeptInFileOrder() throws {
        let table = try parse("bare-key_1 = 1\n\"basic \\u0041\" = 2\n'lit\\eral' = 3\n\"\" = 4\nkey= 5\n")
        #expect(table.keys == ["bare-key_1", "basic A", "lit\\eral", "", "key"])
        #expect(table["lit\\eral"]?.keyPosition == at(3, 1) && table["key"]?.value.position == at(5, 6))
    }

    @Test func basicStringsTakeTOMLsEscapes() throws {
        #expect(try value(#"key = "a\b\t\n\f\r\"\\\u00e9\U0001F600z""#) == .string("a\u{8}\t\n\u{c}\r\"\\é😀z"))
        #expect(try value("key = \"tab\there\"") == .string("tab\there"))
        #expect(try value("key = \"\"") == .string(""))
    }

    @Test func literalStringsAreTakenAsWritten() throws {
        #expect(try value(#"key = 'C:\path\n "quoted"'"#) == .string(#"C:\path\n "quoted""#))
    }

    @Test func unknownEscapesAndBadCodesAreRefused() {
        #expect(error(#"key = "a\qb""#) == #"1:9: this backslash starts no escape TOML knows: write \\ for a backslash, "#
            + #"or one of \b \t \n \f \r \" \uXXXX \UXXXXXXXX"#)
        #expect(error(#"key = "\u12""#) == "1:8: \\u takes exactly 4 hex digits")
        #expect(error(#"key = "\U0001F6""#) == "1:8: \\U takes exactly 8 hex digits")
        #expect(error(#"key = "\uD800""#) == "1:8: U+D800 is not a Unicode character")
        #expect(error(#"key = "\U00110000""#) == "1:8: U+110000 is not a Unicode character")
    }

    @Test func controlCharactersAreRefusedInStringsAndComments() {
        #expect(error("key = \"a\u{1B}[2J\"") == "1:9: the control character U+001B is not allowed in a string; write it as \\u001B")
        #expect(error("key = 'a\u{7F}'") == "1:9: the control character U+007F is not allowed in a string; write it as \\u007F")
        #expect(error("key = 1 # bell\u{07}\n") == "1:15: the control character U+0007 is not allowed in a comment")
    }

    @Test func integersAreDecimalHexOctalOrBinary() throws {
        for (written, integer) in [("0", 0), ("+17", 17), ("-17", -17), ("1_000_000", 1_000_000), ("0xdead_BEEF", 0xdead_beef),
                                   ("0o755", 0o755), ("0b1010", 10), ("9223372036854775807", Int.max),
                                   ("-9223372036854775808", Int.min), ("0x00ff", 255)] {
            #expect(try value("key = \(written)") == .integer(integer), "\(written)")
        }
    }

    @Test func malformedIntegersAreRefused() {
        #expect(error("key = 017") == "1:7: 017 has a leading zero, which TOML does not allow")
        #expect(error("key = 1__0") == "1:7: 1__0 is not an integer")
        #expect(error("key = 1_") == "1:7: 1_ is not an integer")
        #expect(error("key = 0x") == "1:7: 0x is not an integer")
        #expect(error("key = 0xG1") == "1:7: 0xG1 is not an integer")
        #expect(error("key = 12abc") == "1:7: 12abc is not an integer")
        #expect(error("key = -0x1") == "1:7: a hex, octal or binary integer takes no sign")
        #expect(error("key = 9223372036854775808")
            == "1:7: 9223372036854775808 does not fit in an integer of nazorat.toml (-9223372036854775808 to 9223372036854775807)")
        #expect(error("key = -9223372036854775809")?.hasPrefix("1:7: -9223372036854775809 does not fit") == true)
        #expect(error("key = 0x1_0000_0000_0000_0000")?.hasPrefix("1:7: 0x1_0000_0000_0000_0000 does not fit") == true)
    }

    @Test func booleansAreTrueOrFalse() throws {
        #expect(try value("key = true") == .boolean(true))
        #expect(try value("key = false # no") == .boolean(false))
        #expect(error("key = True") == "1:7: expected a value: a \"quoted string\", a number, true, false or a [list]")
    }

    @Test func listsSpanLinesWithCommentsNestingAndATrailingComma() throws {
        let table = try parse("key = [ # the kinds\n  \"08:*:*\",\n\n  [1, [2]], # nested\n  [],\n]\nnext = 1\n")
        let elements = try #require(table["key"]?.value.array)
        #expect(elements.map(\.position) == [at(2, 3), at(4, 3), at(5, 3)])
        #expect(elements[0].kind == .string("08:*:*"))
        #expect(elements[1].kind == .array([TOMLValue(kind: .integer(1), position: at(4, 4)),
                                            TOMLValue(kind: .array([TOMLValue(kind: .integer(2), position: at(4, 8))]),
                                                      position: at(4, 7))]))
        #expect(elements[2].kind == .array([]) && table["next"]?.keyPosition == at(7, 1))
        #expect(try parse("key = [1, \"two\"]")["key"]?.value.typeName == "array")
    }

    @Test func malformedListsAreRefused() {
        #expect(error("key = [1 2]") == "1:10: expected ',' or ']' after an element of the list")
        #expect(error("key = [1,,2]") == "1:10: expected a value: a \"quoted string\", a number, true, false or a [list]")
        #expect(error("key = [,]") == "1:8: expected a value: a \"quoted string\", a number, true, false or a [list]")
    }

    @Test func tableHeadersOpenTablesWithTheirPositions() throws {
        let table = try parse("station = \"A\"\n\n  [policy]  # the rules\nrules = \"r\"\n[ 'uplink' ]\nurl = \"u\"\n")
        #expect(table.keys == ["station", "policy", "uplink"])
        let policy = try #require(table["policy"]?.value.table)
        #expect(table["policy"]?.keyPosition == at(3, 3) && policy.position == at(3, 3))
        #expect(policy["rules"] == .init(keyPosition: at(4, 1), value: TOMLValue(kind: .string("r"), position: at(4, 9))))
        #expect(table["uplink"]?.value.table?["url"]?.value.string == "u")
    }

    @Test func arraysOfTablesKeepEachHeadersPosition() throws {
        let table = try parse("[[interfaces]]\nallow = [\"08:06:50\"]\n\n[[interfaces]]\nblock = [\"03:*:*\"]\n[policy]\n")
        let elements = try #require(table["interfaces"]?.value.array)
        #expect(table["interfaces"]?.keyPosition == at(1, 1) && table.keys == ["interfaces", "policy"])
        #expect(elements.map(\.position) == [at(1, 1), at(4, 1)])
        #expect(elements.map { $0.table?.position } == [at(1, 1), at(4, 1)])
        #expect(elements[1].table?["block"]?.keyPosition == at(5, 1))
    }

    @Test func keysAndTablesDefinedTwiceAreRefused() {
        #expect(error("station = \"A\"\nstation = \"B\"\n") == "2:1: 'station' is defined twice: first at line 1")
        #expect(error("[policy]\nrules = \"a\"\n rules = \"b\"\n") == "3:2: 'policy.rules' is defined twice: first at line 2")
        #expect(error("[[interfaces]]\n[[interfaces]]\nallow = []\nallow = []\n")
            == "4:1: 'interfaces[2].allow' is defined twice: first at line 3")
        #expect(error("[policy]\n[uplink]\n[policy]\n") == "3:1: 'policy' is defined twice: first at line 1")
        #expect(error("policy = 1\n[policy]\n") == "2:1: 'policy' is defined twice: first at line 1")
        #expect(error("interfaces = []\n[[interfaces]]\n") == "2:1: 'interfaces' is defined twice: first at line 1")
        #expect(error("[[interfaces]]\n[interfaces]\n") == "2:1: 'interfaces' is defined twice: first at line 1")
        #expect(error("[interfaces]\n[[interfaces]]\n") == "2:1: 'interfaces' is defined twice: first at line 1")
    }

    @Test func whatNazoratDoesNotUseIsRefusedWithWhatToWriteInstead() {
        #expect(error("[uplink]\nurl = { host = \"x\" }") == "2:7: inline tables ({ ... }) are not supported in nazorat.toml: "
            + "write a [table] header and its keys on the lines below it")
        #expect(error("policy.rules = \"x\"") == "1:7: dotted keys (a.b = ...) are not supported in nazorat.toml: "
            + "write the key under its [table] header")
        #expect(error("[uplink.tls]") == "1:8: nested table names ([a.b]) are not supported in nazorat.toml: write each table as [name]")
        #expect(error("key = \"\"\"two\nlines\"\"\"") == "1:7: multi-line strings are not supported in nazorat.toml: "
            + "write the value on one line, with \\n for a line break")
        #expect(error("key = '''x'''")?.hasPrefix("1:7: multi-line strings are not supported in nazorat.toml") == true)
        for float in ["1.5", "1e3", "-2E-2", "inf", "+inf", "nan"] {
            #expect(error("key = \(float)") == "1:7: \(float) is not a whole number; nazorat.toml takes integers only")
        }
        for date in ["1979-05-27", "1979-05-27T07:32:00Z", "07:32:00"] {
            #expect(error("key = \(date)")
                == "1:7: dates and times are not supported in nazorat.toml: write them as a \"quoted string\"", "\(date)")
        }
    }

    @Test func syntaxErrorsArePlainSentencesAtTheirPlace() {
        #expect(error("station \"A\"") == "1:9: expected '=' after the key")
        #expect(error("= 1") == "1:1: expected a key, such as station = \"TSH-0001\", or a [table] header")
        #expect(error("mode = ") == "1:8: expected a value: a \"quoted string\", a number, true, false or a [list]")
        #expect(error("mode = monitor") == "1:8: expected a value: a \"quoted string\", a number, true, false or a [list]")
        #expect(error("mode = = \"monitor\"") == "1:8: expected a value: a \"quoted string\", a number, true, false or a [list]")
        #expect(error("a = 1 b = 2") == "1:7: expected the end of the line after the value: write one key = value per line")
        #expect(error("[policy] rules = \"x\"") == "1:10: expected the end of the line after the table header")
        #expect(error("[policy\n") == "1:8: expected ']' to close the header [policy]")
        #expect(error("[[interfaces]\n") == "1:14: expected ']]' to close the header [[interfaces]]")
        #expect(error("[]") == "1:2: expected a table name, such as [policy]")
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(error("\"ключ\" = 1 2") == "1:12: expected the end of the line after the value: write one key = value per line")
    }
}
