import NazoratCore
import Testing

/// The interface policy's judgement: which interfaces of an allowed device are cut.
@Suite struct InterfacePolicyTests {
    private let storage = InterfaceType(classCode: 0x08, subclass: 0x06, protocol: 0x50)
    private let printing = InterfaceType(classCode: 0x07, subclass: 0x01, protocol: 0x02)
    private let keyboard = InterfaceType(classCode: 0x03, subclass: 0x01, protocol: 0x01)
    private let vendor = InterfaceType(classCode: 0xff, subclass: 0x00, protocol: 0x00)
    private let printer = USBDevice(syspath: "/sys/x/1-1.3", port: "1-1.3", vendorID: 0x04b8, productID: 0x0e28)

    @Test func theShippedPolicyCutsStorageFromAPrinterAndHIDFromAScanner() {
        let policy = InterfacePolicy.shipped
        #expect(policy.decide(printing, of: printer, role: .printer, secondsOfDay: 0) == .init(target: .allow, by: nil))
        #expect(policy.decide(storage, of: printer, role: .printer, secondsOfDay: 0).target == .block)
        #expect(policy.decide(keyboard, of: printer, role: .ballotScanner, secondsOfDay: 0)
                == .init(target: .block, by: "the shipped interface policy (HID)"))
        #expect(policy.decide(vendor, of: printer, role: .ballotScanner, secondsOfDay: 0).target == .allow)
        #expect(policy.decide(keyboard, of: printer, role: .keyboard, secondsOfDay: 0).target == .allow)
        #expect(policy.decide(keyboard, of: printer, role: .ups, secondsOfDay: 0).target == .allow, "a UPS reports over HID")
        #expect(policy.decide(storage, of: printer, role: .storage, secondsOfDay: 0).target == .allow,
                "a stick the rules allowed keeps its storage")
    }

    @Test func theFirstEntryThatAppliesDecides() throws {
        let model = try RuleParser(file: "t").parseRule("allow id 04b8:0e28")
        let policy = InterfacePolicy(entries: [
            .init(target: .allow, interfaces: [.init(classCode: 0x08)], devices: model, origin: "a:1"),
        ] + InterfacePolicy.shipped.entries)
        #expect(policy.decide(storage, of: printer, role: .printer, secondsOfDay: 0) == .init(target: .allow, by: "a:1"))
        var other = printer
        other.productID = 0x0e15
        #expect(policy.decide(storage, of: other, role: .printer, secondsOfDay: 0).target == .block,
                "another model: the shipped entries decide")
    }

    @Test func patternsAreUSBGuardsWithInterfaceTypes() throws {
        #expect(try Rule.InterfacePattern.parse("08:06:*") == .init(classCode: 8, subclass: 6))
        #expect(try Rule.InterfacePattern.parse("e0:*:*") == .init(classCode: 0xe0))
        for text in ["08", "08:*", "8:06:50", "08:*:50", "zz:00:00", "08:06:50:00", ""] {
            #expect(throws: Rule.InterfacePattern.ParseError.self, "\(text)") { try Rule.InterfacePattern.parse(text) }
        }
    }
}
