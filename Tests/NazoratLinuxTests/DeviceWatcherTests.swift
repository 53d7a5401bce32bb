import Glibc
import NazoratCore
import NazoratLinux
import NazoratTestbed
import Testing

/// The real libudev code path (enumeration, monitor, sysfs reads) against umockdev testbeds.
/// A testbed is process-wide, so these tests run one at a time.
@Suite(.serialized) struct DeviceWatcherTests {
    private let stationPorts = ["usb1", "usb2", "1-1", "1-1.1", "1-1.2", "1-1.3", "1-1.4", "1-2"]

    @Test func coldplugReportsEveryDeviceWithUSBGuardsHashes() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        await harness.stop()
        let present = try #require(await harness.observed.elements.first?.presentDevices)
        #expect(present.map(\.port) == stationPorts)

        let reference = USBGuardReference(rules: try TextFile.read(fixturesDirectory + "/usbguard/polling-station.rules"))
        for device in present {
            let expected = try #require(reference.byPort[device.port], "USBGuard has no rule for \(device.port)")
            #expect(device.hash == expected.hash, "hash of \(device.port)")
            #expect(device.parentHash == expected.parentHash, "parent hash of \(device.port)")
        }

        let scanner = try #require(present.first { $0.port == "1-1.1" })
        #expect(scanner.id == "2c4e:0b01")
        #expect(scanner.serial == DeviceString("BS200-0004711"))
        #expect(scanner.product == DeviceString("BS-200 Ballot Scanner"))
        #expect(scanner.manufacturer == DeviceString("Sayla Systems"))
        #expect(scanner.bcdDevice == 0x0112)
        #expect(scanner.deviceClass == 0)
        #expect(scanner.interfaces.map(\.description) == ["ff:00:00"])
        #expect(scanner.connectType == .hardwired)
        #expect(scanner.parentPort == "1-1")
        #expect(scanner.authorized == true)
        #expect(scanner.syspath == WatcherHarness.pci + "/usb1/1-1/1-1.1")

        let rootHub = try #require(present.first { $0.port == "usb1" })
        #expect(rootHub.connectType == nil)
        #expect(rootHub.parentPort == nil)
        let keyboard = try #require(present.first { $0.port == "1-2" })
        #expect(keyboard.serial == nil)
        #expect(keyboard.manufacturer == nil)
        #expect(keyboard.interfaces.map(\.description) == ["03:01:01", "03:00:00"])
    }

    @Test func hotplugAddAndRemoveAreReportedWithTheirInterfaces() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        let stick = try fixture("usb-stick")

        try harness.testbed.add(stick)
        try await harness.wait(for: "stick added") { $0.added?.port == "1-3" }
        try await harness.wait(for: "stick interface added") {
            if case .interface(let event) = $0 { event.name == "1-3:1.0" && event.action == "add" } else { false }
        }
        let added = try #require(await harness.observed.elements.compactMap(\.added).first)
        #expect(added.id == "0781:5567")
        #expect(added.interfaces.map(\.description) == ["08:06:50"])
        #expect(added.connectType == .hotplug)
        #expect(added.parentPort == "usb1")
        #expect(await harness.observed.elements.contains {
            if case .changed(.added, .uevent("add")) = $0 { true } else { false }
        })
        let interface = await harness.observed.elements.compactMap {
            if case .interface(let event) = $0 { event } else { nil }
        }.first
        #expect(interface?.type?.description == "08:06:50")
        #expect(interface?.driver == "usb-storage")
        #expect(interface?.devicePort == "1-3")

        harness.testbed.unplug(stick)
        try await harness.wait(for: "stick removed") { $0.removed?.port == "1-3" }
        #expect(harness.watcher.devices.map(\.port) == stationPorts)
        await harness.stop()
    }

    @Test func aChangeEventRereadsTheDevice() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        let scanner = WatcherHarness.pci + "/usb1/1-1/1-1.2"

        harness.testbed.setAttribute(scanner, "authorized", "0\n")
        harness.testbed.uevent(scanner, "change")
        try await harness.wait(for: "scanner changed") {
            if case .changed(.changed(let old, let new), .uevent("change")) = $0 {
                old.authorized == true && new.authorized == false && new.port == "1-1.2"
            } else { false }
        }
        // The same event again changes nothing and reports nothing. Events are handled in
        // order, so once the stick plugged afterwards is seen, the repeats were handled.
        harness.testbed.uevent(scanner, "change")
        harness.testbed.uevent(WatcherHarness.pci + "/usb1", "change")
        try harness.testbed.add(fixture("usb-stick"))
        try await harness.wait(for: "stick added") { $0.added?.port == "1-3" }
        await harness.stop()
        #expect(await harness.changes().count == 2)
    }

    @Test func aHubRemovalReportsEveryDeviceBelowIt() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        // The kernel's remove events for the children may be lost; the hub's own removal suffices.
        harness.testbed.uevent(WatcherHarness.pci + "/usb1/1-1", "remove")
        try await harness.waitAll(for: "hub and children removed") { observations in
            Set(observations.compactMap(\.removed?.port)) == ["1-1", "1-1.1", "1-1.2", "1-1.3", "1-1.4"]
        }
        #expect(harness.watcher.devices.map(\.port) == ["usb1", "usb2", "1-2"])
        await harness.stop()
    }

    @Test func aMonitorOverflowIsRecoveredByRescanningNothingIsMissed() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        let burst = try fixture("burst-500")
        let ports = Set((1...500).map { "2-\($0)" })

        // 500 devices (1,000 uevents) at once into a monitor that holds 8 more: the kernel
        // drops the rest and reports ENOBUFS on the next receive, which a later event triggers.
        // (8 stays below umockdev's socket queue of 10, whose overflow would abort the sender.)
        try harness.testbed.overflowingMonitor(capacity: 8) { try harness.testbed.add(burst) }
        harness.testbed.uevent(WatcherHarness.pci + "/usb1", "change")
        try await harness.waitAll(for: "all 500 added", timeout: .seconds(120)) { observations in
            Set(observations.compactMap(\.added?.port)).isSuperset(of: ports)
                && observations.contains { if case .rescanned = $0 { true } else { false } }
        }
        let added = await harness.observed.elements.compactMap(\.added?.port)
        #expect(added.count == 500, "each device is reported added exactly once")
        #expect(harness.watcher.devices.count == 508)
        let viaRescan = await harness.observed.elements.filter {
            if case .changed(.added, .rescan) = $0 { true } else { false }
        }.count
        #expect(viaRescan >= 496, "at most 4 devices (8 uevents) got through before the overflow")
        #expect(viaRescan < 500)

        harness.testbed.overflowingMonitor(capacity: 0) { harness.testbed.unplug(burst) }
        harness.testbed.uevent(WatcherHarness.pci + "/usb1", "change")
        try await harness.waitAll(for: "all 500 removed", timeout: .seconds(120)) { observations in
            Set(observations.compactMap(\.removed?.port)) == ports
                && observations.filter { if case .rescanned = $0 { true } else { false } }.count == 2
        }
        #expect(await harness.observed.elements.compactMap(\.removed?.port).count == 500)
        #expect(await harness.observed.elements.filter {
            if case .changed(.removed, .rescan) = $0 { true } else { false }
        }.count == 500, "every removal event was dropped; the rescan found them all")
        #expect(harness.watcher.devices.map(\.port) == stationPorts)
        await harness.stop()
    }

    @Test func aBrokenMonitorIsReopenedAndEventsFlowAgain() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        harness.testbed.inject(.monitorReceiveError(EIO))
        harness.testbed.uevent(WatcherHarness.pci + "/usb1", "change")
        try await harness.wait(for: "rescan after EIO") {
            if case .rescanned(let reason, 0) = $0 { reason.contains("errno \(EIO)") } else { false }
        }
        try harness.testbed.add(fixture("usb-stick"))
        try await harness.wait(for: "stick added on the new monitor") {
            if case .changed(.added(let device), .uevent("add")) = $0 { device.port == "1-3" } else { false }
        }
        await harness.stop()
    }

    @Test func aDeviceThatVanishesDuringColdplugIsSkippedAndReported() async throws {
        let vanishing = WatcherHarness.pci + "/usb1/1-4"
        let harness = try WatcherHarness(extra: ["vanishing-device"]) { testbed in
            testbed.inject(.vanishOnRead(syspath: vanishing))
        }
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        try await harness.wait(for: "vanished reported") { $0 == .unreadable(.vanished(syspath: vanishing)) }
        let present = try #require(await harness.observed.elements.first?.presentDevices)
        #expect(present.map(\.port) == stationPorts)
        await harness.stop()
    }

    @Test func aDeviceThatVanishesDuringHotplugIsSkippedAndReported() async throws {
        let vanishing = WatcherHarness.pci + "/usb1/1-4"
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        harness.testbed.inject(.vanishOnRead(syspath: vanishing))
        try harness.testbed.add(fixture("vanishing-device"))
        try await harness.wait(for: "vanished reported") { $0 == .unreadable(.vanished(syspath: vanishing)) }
        // The watcher goes on: the next device is seen.
        try harness.testbed.add(fixture("usb-stick"))
        try await harness.wait(for: "stick added") { $0.added?.port == "1-3" }
        #expect(await harness.observed.elements.compactMap(\.added?.port) == ["1-3"])
        await harness.stop()
    }

    @Test func hostileStringsAreKeptAsBytesAndRenderedEscaped() async throws {
        let harness = try WatcherHarness()
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        try harness.testbed.add(fixture("hostile-strings"))
        try await harness.wait(for: "hostile device added") { $0.added?.port == "1-3" }
        await harness.stop()
        let device = try #require(await harness.observed.elements.compactMap(\.added).first)

        #expect(device.manufacturer?.bytes == [0x1B] + Array("]0;pwned".utf8) + [0x07, 0x1B] + Array("[2J".utf8)
            + [0x1B] + Array("[31mEVIL".utf8) + [0x1B] + Array("[0m".utf8))
        #expect(device.product?.bytes == Array("Tab\there\nNew line\r".utf8) + [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82]
            + Array(" bidi".utf8) + [0xE2, 0x80, 0xAE] + Array("RTL".utf8))
        #expect(device.serial?.bytes.count == 4095)
        #expect(device.hash != nil, "Nazorat hashes what USBGuard refuses, so the device can still be identified")

        let summary = device.summary
        #expect(!summary.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" })
        #expect(summary.count < 400, "the 4 KiB serial is bounded")
    }

    @Test func aDeviceWithoutStringsHasNoneAndStillAHash() async throws {
        let harness = try WatcherHarness(extra: ["no-strings"])
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        await harness.stop()
        let device = try #require(await harness.observed.elements.first?.presentDevices?.first { $0.port == "1-3" })
        #expect(device.serial == nil && device.manufacturer == nil && device.product == nil)
        let reference = USBGuardReference(rules: try TextFile.read(fixturesDirectory + "/usbguard/no-strings.rules"))
        #expect(device.hash == reference.byPort["1-3"]?.hash)
    }

    @Test func aScannerLookalikeHasTheSameIdentityButAnotherHash() async throws {
        let harness = try WatcherHarness(extra: ["scanner-lookalike"])
        try await harness.wait(for: "present devices") { $0.presentDevices != nil }
        await harness.stop()
        let present = try #require(await harness.observed.elements.first?.presentDevices)
        let genuine = try #require(present.first { $0.port == "1-1.1" })
        let lookalike = try #require(present.first { $0.port == "1-3" })
        #expect(lookalike.id == genuine.id)
        #expect(lookalike.serial == genuine.serial)
        #expect(lookalike.product == genuine.product)
        #expect(lookalike.interfaces.map(\.description) == ["ff:00:00", "03:01:01"])
        #expect(lookalike.hash != genuine.hash)
    }
}
