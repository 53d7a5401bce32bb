@testable import NazoratCore
import Testing

/// Matching and deciding with USBGuard's meaning of each attribute and operator.
@Suite struct PolicyTests {
    private let keyboard = USBDevice(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2", port: "1-2", vendorID: 0x413c, productID: 0x2113,
        product: DeviceString("Dell KB216 Wired Keyboard"),
        interfaces: [InterfaceType(classCode: 3, subclass: 1, protocol: 1), InterfaceType(classCode: 3, subclass: 0, protocol: 0)],
        connectType: .hardwired, hash: "kbhash", parentHash: "roothash")

    private func matches(_ text: String, _ device: USBDevice? = nil, at seconds: Int = 12 * 3600) throws -> Bool {
        try RuleParser(file: "t").parseRule(text).matches(device ?? keyboard, secondsOfDay: seconds)
    }

    @Test(arguments: [
        ("allow with-interface all-of { 03:01:01 }", true),
        ("allow with-interface all-of { 03:01:01 08:*:* }", false),
        ("allow with-interface one-of { 08:*:* 03:00:00 }", true),
        ("allow with-interface one-of { 08:*:* 09:*:* }", false),
        ("allow with-interface none-of { 08:*:* 09:*:* }", true),
        ("allow with-interface none-of { 03:01:* }", false),
        ("allow with-interface equals { 03:00:00 03:01:01 }", true),
        ("allow with-interface { 03:00:00 03:01:01 }", true),
        ("allow with-interface equals { 03:01:01 }", false),
        ("allow with-interface 03:*:*", false),
        ("allow with-interface equals-ordered { 03:01:01 03:00:00 }", true),
        ("allow with-interface equals-ordered { 03:00:00 03:01:01 }", false),
        ("allow with-interface match-all { 03:*:* }", true),
        ("allow with-interface match-all { 03:01:* 08:*:* }", false),
        ("allow with-interface { }", false),
    ])
    func setOperators(rule: String, expected: Bool) throws {
        #expect(try matches(rule) == expected)
    }

    @Test func aSingleInterfaceValueMatchesASingleInterfaceDevice() throws {
        var stick = keyboard
        stick.interfaces = [InterfaceType(classCode: 8, subclass: 6, protocol: 0x50)]
        #expect(try matches("allow with-interface 08:*:*", stick))
        #expect(try !matches("allow with-interface 08:05:*", stick))
    }

    @Test func idsWithWildcards() throws {
        #expect(try matches("allow id 413c:2113"))
        #expect(try matches("allow 413c:*"))
        #expect(try matches("allow id *:*"))
        #expect(try !matches("allow id 413c:2114"))
        #expect(try matches("allow id one-of { 0781:5567 413c:* }"))
    }

    @Test func stringsMatchBytesAndAMissingStringIsEmpty() throws {
        #expect(try matches(#"allow name "Dell KB216 Wired Keyboard" serial """#))
        #expect(try !matches(#"allow serial "X""#))
        #expect(try matches(#"allow hash "kbhash" parent-hash "roothash""#))
        #expect(try matches(#"allow via-port "1-2" with-connect-type "hardwired""#))
        #expect(try !matches(#"allow via-port one-of { "1-3" "1-4" }"#))
        var hostile = keyboard
        hostile.product = DeviceString(bytes: [0x1B, 0xFF])
        #expect(try matches(#"allow name "\x1b\xff""#, hostile))
    }

    @Test func theLabelIsNotUsedForMatching() throws {
        #expect(try matches(#"allow label "role=scanner""#))
    }

    @Test func conditionsRestrictTheRule() throws {
        #expect(try !matches("allow if false"))
        #expect(try matches("allow if !false"))
        #expect(try matches("allow if localtime(08:00-17:00)", at: 9 * 3600))
        #expect(try !matches("allow if localtime(08:00-17:00)", at: 18 * 3600))
        #expect(try matches("allow if one-of { false true }"))
        #expect(try !matches("allow if all-of { false true }"))
        #expect(try matches("allow if none-of { false false }"))
    }

    @Test func theFirstMatchingRuleDecidesAndTheImplicitTargetOtherwise() throws {
        let policy = Policy(rules: try RuleParser(file: "rules.conf").parse("""
            reject with-interface all-of { 08:*:* 03:*:* }
            allow with-interface match-all { 03:*:* } with-connect-type "hardwired" label "role=keyboard"
            block
            """), implicit: .reject)
        #expect(policy.decide(keyboard, secondsOfDay: 0) == .init(target: .allow, ruleLine: 2, role: .keyboard))
        var usbKeyboard = keyboard
        usbKeyboard.connectType = .hotplug
        #expect(policy.decide(usbKeyboard, secondsOfDay: 0) == .init(target: .block, ruleLine: 3, role: .keyboard), "an unlabelled rule: the role is guessed")
        let implicitOnly = Policy(rules: [], implicit: .reject)
        #expect(implicitOnly.decide(keyboard, secondsOfDay: 0) == .init(target: .reject, ruleLine: nil, role: .keyboard))
    }

    @Test func generatedRulesMatchTheirDeviceAndLoadAgain() throws {
        let rule = RuleWriter.rule(for: keyboard, viaPort: false, role: .keyboard)
        #expect(rule == #"allow id 413c:2113 serial "" name "Dell KB216 Wired Keyboard" hash "kbhash" parent-hash "roothash" via-port "1-2" with-interface { 03:01:01 03:00:00 } with-connect-type "hardwired" label "role=keyboard""#)
        #expect(try matches(rule))
        var other = keyboard
        other.hash = "another"
        #expect(try !matches(rule, other))
    }

    @Test func generatedStringsEscapeEveryByteOutsidePrintableASCII() {
        #expect(RuleWriter.quote([0x41, 0x22, 0x5C, 0x09, 0x1B, 0xE2, 0x80, 0xAE]) == #""A\"\\\x09\x1b\xe2\x80\xae""#)
    }

    @Test func rolesAreGuessedFromInterfacesAndUdevHints() {
        func device(_ interfaces: [(UInt8, UInt8, UInt8)], hint: String? = nil) -> USBDevice {
            USBDevice(syspath: "/x", port: "1-9", interfaces: interfaces.map { InterfaceType(classCode: $0.0, subclass: $0.1, protocol: $0.2) },
                      roleHint: hint)
        }
        #expect(Role.guess(for: device([(9, 0, 0)])) == .hub)
        #expect(Role.guess(for: device([(8, 6, 0x50)])) == .storage)
        #expect(Role.guess(for: device([(2, 6, 0), (10, 0, 0)])) == .network)
        #expect(Role.guess(for: device([(7, 1, 2)])) == .printer)
        #expect(Role.guess(for: device([(0x0b, 0, 0)])) == .smartcardReader)
        #expect(Role.guess(for: device([(3, 1, 1)])) == .keyboard)
        #expect(Role.guess(for: device([(0xff, 0, 0)])) == .other)
        #expect(Role.guess(for: device([(0xff, 0, 0)], hint: "ballot-scanner")) == .ballotScanner)
    }
}

@Suite struct TimeSpanTests {
    @Test func systemdsSpansAreParsed() {
        #expect(TimeSpan.microseconds("15s") == 15_000_000)
        #expect(TimeSpan.microseconds("2min") == 120_000_000)
        #expect(TimeSpan.microseconds("1h 30min") == 5_400_000_000)
        #expect(TimeSpan.microseconds("1min30s") == 90_000_000)
        #expect(TimeSpan.microseconds("250ms") == 250_000)
        #expect(TimeSpan.microseconds("  7  ") == 7_000_000, "a bare number is seconds")
        #expect(TimeSpan.microseconds("2 weeks") == 1_209_600_000_000)
    }

    @Test func whatIsNotASpanIsRefused() {
        for text in ["", "s", "15x", "1.5s", "-3s", "9223372036854775807w", "min 2"] {
            #expect(TimeSpan.microseconds(text) == nil, "\(text)")
        }
    }

    @Test func secondsAreWrittenAsTheShortestSpan() {
        #expect(TimeSpan.text(seconds: 0) == "0s")
        #expect(TimeSpan.text(seconds: 59) == "59s")
        #expect(TimeSpan.text(seconds: 3_723) == "1h 2min 3s")
        #expect(TimeSpan.text(seconds: 90_000) == "1d 1h")
    }
}
