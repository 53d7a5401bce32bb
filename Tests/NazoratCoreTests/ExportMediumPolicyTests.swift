import Foundation
@testable import NazoratCore
import NazoratTestbed
import Testing

/// The commissioned export stick (offline bundles) is allowed by its whole identity, with the
/// role export-medium; every other stick stays blocked, the look-alike with the same ids too.
@Suite struct ExportMediumPolicyTests {
    private let stick = USBDevice(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3", port: "1-3", vendorID: 0x0781, productID: 0x5567,
        serial: DeviceString("4C530001230915117382"), product: DeviceString("Cruzer Blade"),
        interfaces: [InterfaceType(classCode: 8, subclass: 6, protocol: 0x50)], connectType: .hotplug,
        hash: "c0mm1ss10ned", parentHash: "roothash")

    private func policy(commissioned: Bool) throws -> Policy {
        let shipped = try String(contentsOfFile: Repository.root + "/systemd/rules.conf", encoding: .utf8)
        let rule = #"allow id 0781:5567 serial "4C530001230915117382" hash "c0mm1ss10ned" "#
            + #"with-interface equals { 08:06:50 } label "role=export-medium""#
        return Policy(rules: try RuleParser(file: "rules.conf").parse((commissioned ? rule + "\n" : "") + shipped),
                      implicit: .block)
    }

    @Test func theCommissionedStickIsAllowedAsTheExportMedium() throws {
        let decision = try policy(commissioned: true).decide(stick, secondsOfDay: 0)
        #expect(decision.target == .allow && decision.role == .exportMedium && decision.ruleLine == 1)
    }

    @Test func withoutItsRuleTheShippedPolicyBlocksEveryStick() throws {
        #expect(try policy(commissioned: false).decide(stick, secondsOfDay: 0).target == .block)
    }

    @Test func anotherStickOfTheSameModelOrTheSameStickReflashedStaysBlocked() throws {
        var other = stick
        other.serial = DeviceString("4C530001230915117383")
        var reflashed = stick
        reflashed.hash = "0therf1rmware"
        var disguised = stick
        disguised.interfaces.append(InterfaceType(classCode: 3, subclass: 1, protocol: 1))
        for device in [other, reflashed, disguised] {
            #expect(try policy(commissioned: true).decide(device, secondsOfDay: 0).target != .allow)
        }
    }
}
