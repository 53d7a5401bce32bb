import Foundation
import NazoratConfiguration
import NazoratCore
@testable import NazoratDaemon
import NazoratLinux
import NazoratStore
import Testing

/// The Supervisor in-process: observations, the seal, alarms, administrators' decisions,
/// reloads and counters, against a real SQLite log, with devices and sysfs stood in for.
@Suite struct SupervisorTests {
    @Test func coldplugClosesTheRootHubsDecidesEveryDeviceAndRecordsIt() async throws {
        let station = try InProcessStation(devices: [InProcessStation.hub, InProcessStation.scanner, InProcessStation.stick])
        await station.start()
        #expect(station.writer.writes.map(\.description) == [
            "\(InProcessStation.hub.syspath)/authorized_default=0",
            "\(InProcessStation.hub.syspath)/interface_authorized_default=0",
            "\(InProcessStation.stick.syspath)/authorized=0",
        ])
        let types = try station.eventTypes()
        #expect(types.filter { $0 == "device.added" }.count == 3 && types.filter { $0 == "policy.decision" }.count == 3)
        #expect(try station.store.recordedDevices().count == 3)
    }

    @Test func aSealedScannerUnpluggedRaisesAnAlarmAndPluggedBackClearsIt() async throws {
        let station = try InProcessStation()
        await station.start()
        let inventory = await station.supervisor.seal(by: InProcessStation.peer, roles: station.enforcer.role(of:))
        #expect(Set(inventory.items.map(\.port)) == ["usb1", "1-1"])
        await station.unplug(InProcessStation.scanner)
        #expect(try station.store.openAlarms().map(\.kind) == [.drift(.missing)])
        await station.plug(InProcessStation.scanner)
        #expect(try station.store.openAlarms().isEmpty)
        #expect(try station.eventTypes().suffix(4).contains("alarm.cleared"))
    }

    @Test func concurrentPermanentDecisionsAllLandInTheRuleFileInOrder() async throws {
        let extra = (1...6).map { n in
            USBDevice(syspath: "/sys/devices/pci0000:00/usb1/1-\(n + 2)", port: "1-\(n + 2)", vendorID: 0x0781,
                      productID: UInt16(n), serial: .init("S\(n)"), interfaces: [.init(classCode: 8, subclass: 6, protocol: 0x50)],
                      authorized: false, hash: "h\(n)")
        }
        let station = try InProcessStation(devices: [InProcessStation.hub] + extra)
        await station.start()
        let supervisor = station.supervisor
        let decided = try await withThrowingTaskGroup(of: Supervisor.Decided.self) { group in
            for device in extra {
                group.addTask { try await supervisor.decide(port: device.port, target: .allow, permanent: true,
                                                            by: InProcessStation.peer) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let file = try String(contentsOfFile: station.rules, encoding: .utf8)
        #expect(decided.count == 6 && decided.allSatisfy { $0.applied })
        for rule in decided.compactMap(\.rule) { #expect(file.components(separatedBy: rule + "\n").count == 2, "\(rule)") }
        #expect(station.enforcer.enforcement.policy.rules.count == 2 + 6)
        #expect(Set(station.writer.writes.filter { $0.attribute == "authorized" && $0.value == "1" }.map(\.syspath))
                == Set(extra.map(\.syspath)))
    }

    @Test func aDecisionForAnAbsentPortIsNotFoundAndChangesNothing() async throws {
        let station = try InProcessStation()
        await station.start()
        let before = try station.eventTypes()
        await #expect(throws: Supervisor.CommandError.self) {
            _ = try await station.supervisor.decide(port: "9-9", target: .block, permanent: true, by: InProcessStation.peer)
        }
        #expect(try station.eventTypes() == before)
        #expect(try String(contentsOfFile: station.rules, encoding: .utf8).components(separatedBy: "\n").count == 3)
    }

    @Test func aBadReloadIsRefusedAndTheOldPolicyStays() async throws {
        let station = try InProcessStation()
        let configuration = station.scratch.path + "/nazorat.toml"
        try "station = \"UNIT-0001\"\nmode = \"monitor\"\nstate-dir = \"state\"\n[policy]\nrules = \"rules.conf\"\n"
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let running = try Configuration.load(path: configuration)
        try "allow name one-of\n".write(toFile: station.rules, atomically: true, encoding: .utf8)
        await station.supervisor.reload(configurationAt: configuration, running: running)
        #expect(try station.eventTypes().last == "config.reload-refused")
        #expect(station.enforcer.enforcement.policy.rules.count == 2 && station.enforcer.mode == .enforce)

        try "block\n".write(toFile: station.rules, atomically: true, encoding: .utf8)
        await station.supervisor.reload(configurationAt: configuration, running: running)
        #expect(try station.eventTypes().last == "config.reloaded")
        #expect(station.enforcer.enforcement.policy.rules.count == 1 && station.enforcer.mode == .monitor)
    }

    @Test func countersAreJudgedAgainstTheSealAndThePolls() async throws {
        let station = try InProcessStation()
        await station.start()
        let supervisor = station.supervisor
        let report = ScannerCounters(publicCount: 0, protectiveCount: 100)
        #expect(await supervisor.report(report, port: "1-1", by: InProcessStation.peer)
                == .anomaly(.notASealedScanner, detail: "counters reported for 1-1, which is not a sealed ballot scanner"))
        _ = await supervisor.seal(by: InProcessStation.peer, roles: station.enforcer.role(of:))
        #expect(await supervisor.report(report, port: "1-1", by: InProcessStation.peer) == .accepted(changed: true))
        #expect(try await supervisor.changePhase(to: .open, by: InProcessStation.peer,
                                                 context: await station.reportContext()) == .open)
        let counted = ScannerCounters(publicCount: 7, protectiveCount: 107)
        #expect(await supervisor.report(counted, port: "1-1", by: InProcessStation.peer) == .accepted(changed: true))
        #expect(await supervisor.report(counted, port: "1-1", by: InProcessStation.peer) == .accepted(changed: false))
        let lower = ScannerCounters(publicCount: 6, protectiveCount: 107)
        guard case .anomaly(.publicDecreased, _) = await supervisor.report(lower, port: "1-1", by: InProcessStation.peer)
        else { Issue.record("a lower public count is an anomaly"); return }
        #expect(try station.store.counters()["1-1"]?.current == counted, "the last good values stay current")
        #expect(try station.store.openAlarms().map(\.kind) == [.counters(.notASealedScanner), .counters(.publicDecreased)],
                "each refused report stays an open alarm until acknowledged and resolved")
        await #expect(throws: Supervisor.CommandError.self) {
            _ = try await supervisor.changePhase(to: .open, by: InProcessStation.peer, context: await station.reportContext())
        }
    }

    // Regression: an interface whose directory was there before its class attributes was
    // marked decided unread, and its own add uevent was then ignored: it was never cut.
    @Test func anInterfaceReadBeforeItsAttributesIsDecidedOnItsUevent() async throws {
        let station = try InProcessStation(devices: [InProcessStation.hub])
        await station.start()
        // A scratch directory stands in for the device's sysfs directory.
        var printer = InProcessStation.scanner
        printer.syspath = station.scratch.path + "/1-1"
        printer.roleHint = "printer"
        let storage = printer.syspath + "/1-1:1.1"
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        await station.plug(printer)
        #expect(!station.writer.writes.contains { $0.syspath == storage }, "nothing to decide yet")
        for (name, value) in [("bInterfaceClass", "08"), ("bInterfaceSubClass", "06"), ("bInterfaceProtocol", "50"),
                              ("authorized", "1")] {
            try (value + "\n").write(toFile: storage + "/" + name, atomically: true, encoding: .utf8)
        }
        await station.supervisor.observe(.interface(InterfaceEvent(action: "add", name: "1-1:1.1", devicePort: "1-1",
                                                                   type: nil, driver: nil)))
        #expect(station.writer.writes.last?.description == storage + "/authorized=0", "cut on its own uevent")
        #expect(try station.eventTypes().contains("interface.decision"))
    }

    @Test func anInterfaceWhoseUeventComesBeforeItsDeviceIsDecidedWithTheDevice() async throws {
        let station = try InProcessStation(devices: [InProcessStation.hub])
        await station.start()
        var printer = InProcessStation.scanner
        printer.syspath = station.scratch.path + "/1-1"
        printer.roleHint = "printer"
        let storage = printer.syspath + "/1-1:1.1"
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        for (name, value) in [("bInterfaceClass", "08"), ("bInterfaceSubClass", "06"), ("bInterfaceProtocol", "50"),
                              ("authorized", "1")] {
            try (value + "\n").write(toFile: storage + "/" + name, atomically: true, encoding: .utf8)
        }
        await station.supervisor.observe(.interface(InterfaceEvent(action: "add", name: "1-1:1.1", devicePort: "1-1",
                                                                   type: nil, driver: nil)))
        #expect(!station.writer.writes.contains { $0.syspath == storage }, "its device is not known yet")
        await station.plug(printer)
        #expect(station.writer.writes.filter { $0.syspath == storage }.map(\.description) == [storage + "/authorized=0"],
                "cut once, with its device")
    }
}
