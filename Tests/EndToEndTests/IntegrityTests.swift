import Foundation
import GRDB
import NazoratTestbed
import Testing

/// Sealing and drift alarms in the running daemon, on a umockdev station.
@Suite(.serialized) struct IntegrityTests {
    private static let pci = "/sys/devices/pci0000:00/0000:00:14.0"

    @Test func driftAfterTheSealRaisesAndClearsAlarms() async throws {
        let testbed = try Paths.station()
        let directory = try Paths.temporaryDirectory()
        let config = try Paths.writeConfig(station: "SEAL-0001", in: directory)

        let seal = try runToCompletion(Paths.nazoratd, ["seal", "--config", config], environment: testbed.childEnvironment)
        #expect(seal.status == 0, "\(seal.stderr)")
        #expect(seal.stdoutText.hasPrefix("sealed 8 devices at seq 1 (signed checkpoint)"))

        var daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-2 ")
        let busy = try runToCompletion(Paths.nazoratd, ["seal", "--config", config], environment: testbed.childEnvironment)
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("is in use by another process (is nazoratd running?)"))
        #expect(await !daemon.lines.elements.contains { $0.contains("alarm:") }, "the sealed station has no drift")

        let stick = try Paths.fixture("usb-stick")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: "alarm: device.unexpected at 1-3: unsealed device 1-3 0781:5567")
        testbed.unplug(stick)
        try await daemon.waitForLine(containing: "alarm cleared: device.unexpected at 1-3")

        let second = Self.pci + "/usb1/1-1/1-1.2"
        testbed.uevent(second, "remove")
        testbed.removeDevice(second)
        try await daemon.waitForLine(containing: "alarm: device.missing at 1-1.2: sealed ballot-scanner 2c4e:0b01 is missing")
        let moved = try Paths.fixture("scanner-moved")
        try testbed.add(moved)
        try await daemon.waitForLine(containing: "alarm: device.moved at 1-3: sealed ballot-scanner 2c4e:0b01 moved from 1-1.2")
        testbed.unplug(moved)
        try await daemon.waitForLine(containing: "alarm cleared: device.moved at 1-3")

        let first = Self.pci + "/usb1/1-1/1-1.1"
        testbed.uevent(first, "remove")
        testbed.removeDevice(first)
        let badusb = try Paths.fixture("scanner-badusb")
        try testbed.add(badusb)
        try await daemon.waitForLine(containing: "alarm: device.gained-hid-or-network at 1-1.1: 2c4e:0b01: gained 03:01:01")
        for _ in 0..<3 {
            testbed.unplug(badusb)
            try testbed.add(badusb)
        }
        try await daemon.waitForLine(containing: "alarm: scanner.flapping at 1-1.1: ballot scanner 2c4e:0b01 reconnected 4 times in 10 minutes")
        #expect(daemon.stop() == 0)

        // Alarms survive a restart without being raised again; severities rise while the polls are open.
        let database = directory + "/state/state.db"
        try await DatabaseQueue(path: database).write {
            try $0.execute(sql: "INSERT INTO meta (key, value) VALUES ('polls-phase', 'open')")
        }
        daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-2 ")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: "alarm: device.unexpected at 1-3")
        #expect(daemon.stop() == 0)
        let lines = await daemon.lines.elements
        #expect(!lines.contains { $0.contains("alarm: device.missing at 1-1.2") }, "still open, not raised again")
        #expect(lines.contains { $0.contains(" error    alarm: device.unexpected at 1-3") && $0.contains("(polls open)") })

        let open = try await DatabaseQueue(path: database).read {
            try String.fetchAll($0, sql: "SELECT kind || '@' || subject FROM alarms WHERE state != 'cleared' ORDER BY id")
        }
        // The reconnect history is in memory: the restart cleared the flapping alarm (the log keeps both steps).
        #expect(open == ["device.missing@1-1.2", "device.gained-hid-or-network@1-1.1", "device.unexpected@1-3"])
        #expect(lines.contains { $0.contains("alarm cleared: scanner.flapping at 1-1.1") })
    }
}
