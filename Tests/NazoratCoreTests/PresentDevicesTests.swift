import NazoratCore
import Testing

@Suite struct PresentDevicesTests {
    private func device(_ port: String, under parent: String = "/sys/devices/pci0000:00/0000:00:14.0/usb1",
                        serial: String = "S") -> USBDevice {
        USBDevice(syspath: parent + "/" + port, port: port, vendorID: 0x0781, productID: 0x5567,
                  serial: DeviceString(serial), interfaces: [InterfaceType(classCode: 8, subclass: 6, protocol: 0x50)])
    }

    @Test func upsertReportsAddedThenChangedThenNothing() {
        var present = PresentDevices()
        let stick = device("1-3")
        #expect(present.upsert(stick) == .added(stick))
        var reflashed = stick
        reflashed.bcdDevice = 0x0200
        #expect(present.upsert(reflashed) == .changed(old: stick, new: reflashed))
        #expect(present.upsert(reflashed) == nil)
    }

    @Test func removingAHubRemovesWhatHungBelowIt() {
        var present = PresentDevices()
        let hub = device("1-1")
        let scanner = device("1-1.1", under: hub.syspath)
        let other = device("1-2")
        [hub, scanner, other].forEach { _ = present.upsert($0) }
        #expect(present.remove(syspath: hub.syspath) == [.removed(hub), .removed(scanner)])
        #expect(present.sorted == [other])
    }

    @Test func removingAnUnknownDeviceChangesNothing() {
        var present = PresentDevices()
        _ = present.upsert(device("1-2"))
        #expect(present.remove(syspath: "/sys/devices/none").isEmpty)
        #expect(present.sorted.count == 1)
    }

    @Test func reconcileReportsRemovedThenAddedAndChangedInPortOrder() {
        var present = PresentDevices()
        let kept = device("1-1"), changed = device("1-2"), gone = device("1-3"), goneChild = device("1-3.1")
        [kept, changed, gone, goneChild].forEach { _ = present.upsert($0) }
        var newSerial = changed
        newSerial.serial = DeviceString("T")
        let added = device("1-10"), added2 = device("1-4")

        let changes = present.reconcile(with: [added, newSerial, kept, added2])
        #expect(changes == [
            .removed(goneChild), .removed(gone),
            .changed(old: changed, new: newSerial), .added(added2), .added(added),
        ])
        #expect(present.sorted.map(\.port) == ["1-1", "1-2", "1-4", "1-10"])
        #expect(present.reconcile(with: present.sorted).isEmpty)
    }

    @Test func portsSortNaturally() {
        let ports = ["1-10", "usb2", "1-1.2", "2-1", "1-1", "usb1", "1-2", "1-1.10"]
        #expect(PortOrder.sorted(ports, port: { $0 }) == ["usb1", "usb2", "1-1", "1-1.2", "1-1.10", "1-2", "1-10", "2-1"])
    }

    @Test func differencesNameEachChangedAttributeWithEscapedValues() {
        let old = device("1-3")
        var new = old
        new.authorized = false
        new.product = DeviceString(bytes: [0x1B, 0x5B, 0x32, 0x4A])
        #expect(new.differences(from: old) == [#"product none -> "\x1b[2J""#, "authorized ? -> 0"])
    }
}
