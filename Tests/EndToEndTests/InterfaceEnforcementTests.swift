import Foundation
import NazoratTestbed
import Testing

/// Per-interface authorization on umockdev stations: of a device the rules allow, the
/// interfaces the interface policy cuts get `authorized=0` and the others keep theirs.
@Suite(.serialized) struct InterfaceEnforcementTests {
    private static let usb1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1"

    private func authorized(_ testbed: Testbed, _ interface: String) -> String? {
        testbed.attribute(Self.usb1 + "/1-3/" + interface, "authorized")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// nazoratd on the station with a rule file that allows every device, so that only the
    /// interface policy cuts.
    private func start(mode: String, interfaces: String = "") async throws -> (Testbed, RunningProcess, String) {
        let testbed = try Paths.station()
        let rules = try Paths.temporaryDirectory() + "/rules.conf"
        try "allow\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let config = try Paths.writeConfig(station: "IFACE-0001", mode: mode, rules: rules, extra: interfaces)
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-2 ")
        return (testbed, daemon, config)
    }

    @Test func enforceModeCutsStorageFromAPrinterAndHIDFromAScannerAndKeepsTheRest() async throws {
        let (testbed, daemon, _) = try await start(mode: "enforce")
        #expect(testbed.attribute(Self.usb1, "interface_authorized_default")?.hasPrefix("0") == true,
                "interfaces of new devices wait unauthorized")

        let printer = try Paths.fixture("printer-storage")
        try testbed.add(printer)
        try await daemon.waitForLine(containing: "interface 1-3:1.1 08:06:50 of 1-3 04b8:0e15 (printer) cut by the "
                                     + "shipped interface policy (storage and network)")
        try await daemon.waitForLine(containing: "wrote 1-3:1.1/authorized=0 for 1-3")
        #expect(authorized(testbed, "1-3:1.1") == "0", "the storage interface is cut")
        #expect(authorized(testbed, "1-3:1.0") == "1", "the printer still prints")
        testbed.unplug(printer)

        let ups = try Paths.fixture("ups-extra-hid")
        try testbed.add(ups)
        try await daemon.waitForLine(containing: "policy: 1-3 051d:0003 (ups) allowed")
        #expect(authorized(testbed, "1-3:1.0") == "1" && authorized(testbed, "1-3:1.1") == "1",
                "a UPS reports over HID: both interfaces stay")
        testbed.unplug(ups)

        let lookalike = try Paths.fixture("scanner-lookalike")
        try testbed.add(lookalike)
        try await daemon.waitForLine(containing: "interface 1-3:1.1 03:01:01 of 1-3 2c4e:0b01 (ballot-scanner) cut by "
                                     + "the shipped interface policy (HID)")
        try await daemon.waitForLine(containing: "wrote 1-3:1.1/authorized=0 for 1-3")
        #expect(authorized(testbed, "1-3:1.1") == "0", "the look-alike's keyboard is cut")
        #expect(authorized(testbed, "1-3:1.0") == "1")
        let lines = await daemon.lines.elements
        #expect(lines.count { $0.contains("interface 1-3:1.1 03:01:01 of 1-3") } == 1, "decided once, not per uevent")
        #expect(!lines.contains { $0.contains("of 1-3 051d:0003") }, "nothing to say about the UPS's interfaces")
        #expect(daemon.stop() == 0)
    }

    // The cut is a defence, not a pardon: a sealed scanner that gained a keyboard interface
    // keeps working without it, and the drift alarm is raised as before.
    @Test func aCutInterfaceStillRaisesItsDriftAlarm() async throws {
        let (testbed, daemon, config) = try await start(mode: "enforce")
        let seal = try runToCompletion(Paths.nazoratctl, ["seal", "--socket", (config as NSString).deletingLastPathComponent
                                                                              + "/control.sock"], environment: [:])
        #expect(seal.status == 0, "\(seal.stderr)")
        let first = Self.usb1 + "/1-1/1-1.1"
        testbed.uevent(first, "remove")
        testbed.removeDevice(first)
        try testbed.add(try Paths.fixture("scanner-badusb"))
        try await daemon.waitForLine(containing: "interface 1-1.1:1.1 03:01:01 of 1-1.1 2c4e:0b01 (ballot-scanner) cut by "
                                     + "the shipped interface policy (HID)")
        try await daemon.waitForLine(containing: "alarm: device.gained-hid-or-network at 1-1.1: 2c4e:0b01: gained 03:01:01")
        #expect(testbed.attribute(first + "/1-1.1:1.1", "authorized")?.hasPrefix("0") == true)
        #expect(testbed.attribute(first + "/1-1.1:1.0", "authorized")?.hasPrefix("1") == true)
        #expect(daemon.stop() == 0)
    }

    @Test func monitorModeRecordsTheCutButWritesNothing() async throws {
        let (testbed, daemon, _) = try await start(mode: "monitor")
        try testbed.add(try Paths.fixture("printer-storage"))
        try await daemon.waitForLine(containing: "interface 1-3:1.1 08:06:50 of 1-3 04b8:0e15 (printer) cut by the "
                                     + "shipped interface policy (storage and network) (monitor mode: not applied)")
        #expect(authorized(testbed, "1-3:1.1") == "1")
        #expect(testbed.attribute(Self.usb1, "interface_authorized_default")?.hasPrefix("0") != true)
        #expect(await !daemon.lines.elements.contains { $0.contains("wrote ") })
        #expect(daemon.stop() == 0)
    }

    @Test func aNewInterfacePolicyOnSIGHUPDecidesTheDevicesThatArriveAfterwards() async throws {
        let (testbed, daemon, config) = try await start(mode: "enforce")
        let printer = try Paths.fixture("printer-storage")
        try testbed.add(printer)
        try await daemon.waitForLine(containing: "wrote 1-3:1.1/authorized=0 for 1-3")
        testbed.unplug(printer)

        let text = try String(contentsOfFile: config, encoding: .utf8)
        try (text + "\n[[interfaces]]\nallow = [\"08:06:50\"]\ndevices = \"id 04b8:0e15\"\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await daemon.waitForLine(containing: "configuration reloaded")
        try testbed.add(printer)
        try await daemon.waitForLine(containing: "interface 1-3:1.1 08:06:50 of 1-3 04b8:0e15 (printer) allowed by \(config):")
        #expect(authorized(testbed, "1-3:1.1") == "1", "this model keeps its storage interface now")
        #expect(daemon.stop() == 0)
    }

    @Test func aBadInterfacePolicyIsRefusedWithFileLineAndColumn() throws {
        let rules = try Paths.temporaryDirectory() + "/rules.conf"
        try "allow\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let config = try Paths.writeConfig(station: "IFACE-0001", rules: rules, extra: "[[interfaces]]\nblock = [\"08:*\"]\n")
        let checked = try runToCompletion(Paths.nazoratd, ["--check-config", config], environment: [:])
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("\(config):9:1: 'interfaces[1].block' \"08:*\" is not an interface type"),
                "\(checked.stderr)")
    }
}
