import Foundation
import NazoratTestbed
import Testing

/// The udev rules, run by the real udev (`udevadm test`) on umockdev testbeds. udevadm 252
/// reads rules only from the system directories, so each run bind-mounts a directory with
/// the rules under test on /etc/udev/rules.d in a private mount namespace.
@Suite(.serialized) struct UdevRulesTests {
    private static let usb1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1"

    /// The properties udev gives the device at `syspath` with `rules` (file names in udev-rules/).
    /// The fixtures carry the role hint the rules would set (the daemon's tests need it);
    /// it is taken out of the device's uevent file first, so that only the rules can set it.
    private func properties(_ testbed: Testbed, _ syspath: String, rules: [String]) throws -> [String: String] {
        let uevent = testbed.attribute(syspath, "uevent") ?? ""
        testbed.setAttribute(syspath, "uevent", uevent.split(separator: "\n").filter { !$0.hasPrefix("NAZORAT_ROLE=") }
            .map { $0 + "\n" }.joined())
        let directory = try Paths.temporaryDirectory()
        for rule in rules {
            // udev runs PROGRAM with the device's properties as its whole environment, so a
            // program would read the real /sys, not the testbed's: it gets umockdev's
            // preload library and the testbed's directory on its command line instead.
            let environment = testbed.childEnvironment
            let preload = "/usr/bin/env LD_PRELOAD=libumockdev-preload.so.0 UMOCKDEV_DIR=\(environment["UMOCKDEV_DIR"] ?? "") "
            let text = try String(contentsOfFile: Paths.repository + "/udev-rules/" + rule, encoding: .utf8)
                .replacingOccurrences(of: "PROGRAM=\"", with: "PROGRAM=\"" + preload)
            try text.write(toFile: directory + "/" + rule, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: "/etc/udev/rules.d", withIntermediateDirectories: true)
        let result = try runToCompletion("/usr/bin/unshare", [
            "-m", "/bin/sh", "-c",
            "mount --bind \(directory) /etc/udev/rules.d && udevadm test --action=add \(syspath)",
        ], environment: testbed.childEnvironment)
        try #require(result.status == 0, "udevadm test: \(result.stderr.suffix(2000))")
        var properties: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), line.prefix { $0 != "=" }.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber })
            else { continue }
            properties[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        try #require(properties["DEVPATH"] != nil, "no properties from udevadm test: \(result.stderr.suffix(2000))")
        return properties
    }

    private func value(_ testbed: Testbed, _ syspath: String, _ name: String) -> String? {
        testbed.attribute(syspath, name)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func electionEquipmentIsTaggedByIdsAndEverythingElseByInterfaceClass() throws {
        let testbed = try Paths.station()
        let expected = [
            "1-1/1-1.1": "ballot-scanner", "1-1/1-1.3": "printer", "1-1/1-1.4": "ups", "1-2": "keyboard",
        ]
        for (path, role) in expected {
            #expect(try properties(testbed, Self.usb1 + "/" + path, rules: [])["NAZORAT_ROLE"] == nil,
                    "without the rules \(path) has no role")
            #expect(try properties(testbed, Self.usb1 + "/" + path, rules: ["70-nazorat.rules"])["NAZORAT_ROLE"] == role,
                    "\(path)")
        }
        #expect(try properties(testbed, Self.usb1 + "/1-1", rules: ["70-nazorat.rules"])["NAZORAT_ROLE"] == nil,
                "a hub is a hub by its class, not by a hint")
    }

    @Test(arguments: [("usb-stick", "storage"), ("usb-ethernet", "network")])
    func pluggedDevicesGetTheirRole(fixture: String, role: String) throws {
        let testbed = try Paths.station()
        try testbed.add(try Paths.fixture(fixture))
        #expect(try properties(testbed, Self.usb1 + "/1-3", rules: ["70-nazorat.rules"])["NAZORAT_ROLE"] == role)
    }

    @Test func theEarlyBootRuleLeavesNewDevicesButHubsUnauthorized() throws {
        let testbed = try Paths.station()
        try testbed.add(try Paths.fixture("usb-stick"))
        let rules = ["70-nazorat.rules", "71-nazorat-enforce.rules"]
        _ = try properties(testbed, Self.usb1 + "/1-3", rules: rules)
        #expect(value(testbed, Self.usb1 + "/1-3", "authorized") == "0")
        _ = try properties(testbed, Self.usb1 + "/1-1", rules: rules)
        #expect(value(testbed, Self.usb1 + "/1-1", "authorized") == "1", "hubs stay authorized")
        _ = try properties(testbed, Self.usb1, rules: rules)
        #expect(value(testbed, Self.usb1, "authorized_default") == "0", "root hubs authorize nothing by default")
        #expect(value(testbed, Self.usb1, "authorized") == "1")
    }

    /// The station's built-in equipment on ports the firmware calls hardwired keeps working
    /// while nazoratd is down (the technician's keyboard: USBGuard #644); a device on an
    /// ordinary port does not.
    @Test func theEarlyBootRuleLeavesHardwiredDevicesAuthorized() throws {
        let testbed = try Paths.station()
        let rules = ["70-nazorat.rules", "71-nazorat-enforce.rules"]
        let scanner = Self.usb1 + "/1-1/1-1.1"
        #expect(value(testbed, scanner + "/port", "connect_type") == "hardwired")
        _ = try properties(testbed, scanner, rules: rules)
        #expect(value(testbed, scanner, "authorized") == "1")
        try testbed.add(try Paths.fixture("usb-stick"))
        #expect(value(testbed, Self.usb1 + "/1-3/port", "connect_type") != "hardwired")
        _ = try properties(testbed, Self.usb1 + "/1-3", rules: rules)
        #expect(value(testbed, Self.usb1 + "/1-3", "authorized") == "0")
    }
}
