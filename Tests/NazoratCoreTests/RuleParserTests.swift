@testable import NazoratCore
import Testing

/// One case per grammar feature of USBGuard's rule language, and one per error message.
@Suite struct RuleParserTests {
    private let parser = RuleParser(file: "rules.conf")

    private func rule(_ text: String) throws -> Rule { try parser.parseRule(text) }

    private func error(_ text: String) -> String? {
        do {
            _ = try parser.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: grammar features

    @Test(arguments: Rule.Target.allCases)
    func aTargetAloneMatchesEverything(target: Rule.Target) throws {
        #expect(try rule(target.rawValue) == Rule(target: target, line: 1))
    }

    @Test func aBareDeviceIdAfterTheTarget() throws {
        #expect(try rule("allow 1050:0011").id == .init(setOperator: .equals, values: [.init(vendor: 0x1050, product: 0x0011)]))
    }

    @Test func deviceIdWildcards() throws {
        #expect(try rule("allow id 1050:*").id?.values == [.init(vendor: 0x1050, product: nil)])
        #expect(try rule("allow id *:*").id?.values == [.init(vendor: nil, product: nil)])
    }

    @Test func everyStringAttribute() throws {
        let parsed = try rule(#"block hash "h" parent-hash "p" name "n" serial "s" via-port "1-2" with-connect-type "hotplug" label "role=ups""#)
        #expect(parsed.hash?.values == [DeviceString("h")])
        #expect(parsed.parentHash?.values == [DeviceString("p")])
        #expect(parsed.name?.values == [DeviceString("n")])
        #expect(parsed.serial?.values == [DeviceString("s")])
        #expect(parsed.viaPort?.values == [DeviceString("1-2")])
        #expect(parsed.withConnectType?.values == [DeviceString("hotplug")])
        #expect(parsed.role == .ups)
    }

    @Test func interfaceTypesWithWildcards() throws {
        let parsed = try rule("allow with-interface { 03:01:01 08:06:* 09:*:* }")
        #expect(parsed.withInterface?.values.map(\.description) == ["03:01:01", "08:06:*", "09:*:*"])
    }

    @Test(arguments: Rule.SetOperator.allCases)
    func everySetOperator(setOperator: Rule.SetOperator) throws {
        let parsed = try rule("allow with-interface \(setOperator.rawValue) { 03:*:* }")
        #expect(parsed.withInterface?.setOperator == setOperator)
    }

    @Test func aSetWithoutOperatorIsEqualsAndMayBeEmpty() throws {
        #expect(try rule("allow serial { \"a\" \"b\" }").serial?.setOperator == .equals)
        #expect(try rule("allow with-interface { }").withInterface?.values == [])
    }

    @Test func stringEscapes() throws {
        #expect(try rule(#"allow serial "q\"b\\x\x1b\t\n\r\a\b\f\v""#).serial?.values
            == [DeviceString(bytes: Array("q\"b\\x".utf8) + [0x1B, 0x09, 0x0A, 0x0D, 0x07, 0x08, 0x0C, 0x0B])])
        #expect(try rule(#"allow name "Scanner\xe2\x80\xaeRCS""#).name?.values
            == [DeviceString(bytes: Array("Scanner".utf8) + [0xE2, 0x80, 0xAE] + Array("RCS".utf8))])
    }

    @Test func commentsAndBlankLines() throws {
        let rules = try parser.parse("# a policy\n\n  allow id 1d6b:0002 # root hub\n\t\nblock\n")
        #expect(rules.map(\.target) == [.allow, .block])
        #expect(rules.map(\.line) == [3, 5])
    }

    @Test func conditions() throws {
        #expect(try rule("allow if true").conditions == .init(setOperator: .allOf, terms: [.init(negated: false, condition: .true)]))
        #expect(try rule("allow if !false").conditions?.terms == [.init(negated: true, condition: .false)])
        #expect(try rule("allow if localtime(08:00-17:30:15)").conditions?.terms.first?.condition
            == .localtime(from: 8 * 3600, to: 17 * 3600 + 30 * 60 + 15))
        #expect(try rule("allow if localtime(07:00)").conditions?.terms.first?.condition == .localtime(from: 25200, to: 25200))
        #expect(try rule("allow if one-of { false !false }").conditions?.setOperator == .oneOf)
        #expect(try rule("allow if { true true }").conditions?.setOperator == .equals)
    }

    @Test func usbguardsOwnOutputLoads() throws {
        let rules = try parser.parse(#"allow id 413c:2113 serial "" name "Dell KB216 Wired Keyboard" hash "wI+3kQwDG9bAQxAYy3d65tu4HxSXztznfVkISdu8wpk=" parent-hash "eS4qZavZPoQWZl6KcqYoHFr4MU8JAU0oho6oYZvtC6k=" via-port "1-2" with-interface { 03:01:01 03:00:00 } with-connect-type "hardwired""#)
        #expect(rules.count == 1)
        #expect(rules[0].withInterface?.values.count == 2)
    }

    // MARK: one case per error message

    @Test(arguments: [
        ("alow", "rules.conf:1:1: expected a target (allow, block or reject), found 'alow'"),
        (#"allow "x""#, #"rules.conf:1:7: expected an attribute (id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label) or 'if', found the string "x""#),
        ("allow if true serial \"x\"", "rules.conf:1:15: expected the end of the rule after its conditions, found 'serial'"),
        ("allow serail \"x\"", "rules.conf:1:7: unknown attribute 'serail'; expected one of id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label or 'if'"),
        ("allow serial \"a\" serial \"b\"", "rules.conf:1:18: duplicate attribute 'serial' in one rule"),
        ("allow id 12345:1", "rules.conf:1:10: expected a device id like 046d:c52b, 046d:* or *:*, found '12345:1'"),
        ("allow id *:1234", "rules.conf:1:10: expected a device id like 046d:c52b, 046d:* or *:*, found '*:1234'"),
        ("allow id \"x\"", #"rules.conf:1:10: expected a device id like 046d:c52b, 046d:* or *:*, found the string "x""#),
        ("allow serial", "rules.conf:1:13: expected a value or a set after 'serial'"),
        ("allow with-interface all-of 03:*:*", "rules.conf:1:29: expected '{' after the set operator 'all-of'"),
        ("allow with-interface { 03:*:*", "rules.conf:1:22: expected '}' to close the set opened here"),
        ("allow with-interface 3:1:1", "rules.conf:1:22: expected an interface type cc:ss:pp, cc:ss:* or cc:*:* (hex), found '3:1:1'"),
        ("allow with-interface 03:*:01", "rules.conf:1:22: a subclass '*' needs a protocol '*' too (USBGuard does not match a class and a protocol alone), found '03:*:01'"),
        ("allow serial abc", "rules.conf:1:14: expected a quoted string after 'serial', found 'abc'"),
        ("allow if", "rules.conf:1:9: expected a condition after 'if'"),
        ("allow if match-all { true }", "rules.conf:1:10: 'match-all' is not a condition operator; use all-of, one-of or none-of"),
        ("allow if one-of true", "rules.conf:1:17: expected '{' after the condition operator 'one-of'"),
        ("allow if { true", "rules.conf:1:10: expected '}' to close the conditions opened here"),
        ("allow if !", "rules.conf:1:11: expected a condition after '!'"),
        (#"allow if "true""#, #"rules.conf:1:10: expected a condition, found the string "true""#),
        ("allow if localtime(08:00", "rules.conf:1:10: expected ')' to close the parameter of 'localtime'"),
        ("allow if localtime(25:00)", "rules.conf:1:10: expected localtime(HH:MM[:SS]) or localtime(HH:MM[:SS]-HH:MM[:SS]), found 'localtime(25:00)'"),
        ("allow if random(0.5)", "rules.conf:1:10: condition 'random' is not supported by Nazorat: it depends on history or chance, which a polling station's decisions must not; remove it or use true, false or localtime(...)"),
        ("allow if sometimes", "rules.conf:1:10: unknown condition 'sometimes'; expected true, false or localtime(...)"),
        (#"allow serial "a\qb""#, #"rules.conf:1:16: invalid escape '\q' in a string; expected \", \\, \xHH or \a \b \f \n \r \t \v"#),
        (#"allow serial "abc"#, #"rules.conf:1:14: unterminated string: expected a closing '"'"#),
    ])
    func errorsNameTheirPlaceAndWhatWasExpected(text: String, message: String) {
        #expect(error(text) == message)
    }

    /// Regression test: a set or condition operator with nothing after it crashed the parser
    /// ("Index out of range"), and with it nazoratd on SIGHUP.
    @Test(arguments: [
        ("allow name one-of", "rules.conf:1:12: expected '{' after the set operator 'one-of'"),
        ("allow with-interface one-of", "rules.conf:1:22: expected '{' after the set operator 'one-of'"),
        ("allow if one-of", "rules.conf:1:10: expected '{' after the condition operator 'one-of'"),
    ])
    func anOperatorAtTheEndOfTheRuleIsAnError(text: String, message: String) {
        #expect(error(text) == message)
    }

    /// Every way a rule can end early: each prefix of a rule that uses every construct, cut at
    /// every character, parses or is refused with file:line:column; none crashes.
    @Test func everyTruncationOfARuleIsParsedOrRefused() {
        let full = #"allow id 2c4e:0b01 serial "BS 200" name one-of { "a" "b" } hash equals-ordered { "h" }"#
            + #" with-interface all-of { 03:01:01 08:*:* } with-connect-type none-of { "hotplug" } label "role=ups""#
            + " if one-of { true !false localtime(08:00-17:00) }"
        var refused = 0
        for length in 1...full.count {
            let text = String(full.prefix(length))
            if let message = error(text) {
                refused += 1
                #expect(message.hasPrefix("rules.conf:1:"), "\(text): \(message)")
            }
        }
        #expect(error(full) == nil)
        #expect(refused > full.count / 2)
    }

    @Test func errorsNameTheLineOfTheFile() {
        #expect(error("allow\n\n# c\nallow serial\n")?.hasPrefix("rules.conf:4:13:") == true)
    }

    @Test func anEmptyRuleIsAnError() {
        #expect(throws: RuleParser.Error(file: "rules.conf", line: 1, column: 1, message: "expected a rule, found an empty line")) {
            try parser.parseRule("  # nothing")
        }
    }
}
