import NazoratCore
import Testing

/// A drift case for every alarm kind, the severities by phase, and the alarm lifecycle.
@Suite struct DriftTests {
    private static func scanner(_ port: String, serial: String = "BS200-1", bcd: UInt16 = 0x0112, hash: String = "h1",
                                interfaces: [InterfaceType] = [InterfaceType(classCode: 0xff, subclass: 0, protocol: 0)]) -> USBDevice {
        USBDevice(syspath: "/sys/x/" + port, port: port, vendorID: 0x2c4e, productID: 0x0b01, serial: DeviceString(serial),
                  bcdDevice: bcd, interfaces: interfaces, hash: hash)
    }

    private let sealed = [scanner("1-1.1"), scanner("1-1.2", serial: "BS200-2", hash: "h2")]
    private var inventory: Inventory { Inventory(devices: sealed) { _ in .ballotScanner } }
    private let time = EventTime(realtimeUSec: 1, monotonicUSec: 1, bootID: "b")

    private func kinds(_ present: [USBDevice], connects: [String: [Int64]] = [:], now: Int64 = 0) -> Set<String> {
        Set(DriftDetector.conditions(inventory: inventory, present: present, connects: connects, now: now)
            .map { "\($0.kind.rawValue)@\($0.port)" })
    }

    @Test func theSealedStationHasNoDrift() {
        #expect(kinds(sealed).isEmpty)
    }

    @Test func aMissingDevice() {
        #expect(kinds([sealed[0]]) == ["device.missing@1-1.2"])
    }

    @Test func anUnexpectedDevice() {
        let stick = USBDevice(syspath: "/sys/x/1-3", port: "1-3", vendorID: 0x0781, productID: 0x5567, hash: "s")
        #expect(kinds(sealed + [stick]) == ["device.unexpected@1-3"])
    }

    @Test func aMovedDevice() {
        var moved = sealed[1]
        moved.port = "1-3"
        #expect(kinds([sealed[0], moved]) == ["device.missing@1-1.2", "device.moved@1-3"])
    }

    @Test func anotherSerial() {
        #expect(kinds([sealed[0], Self.scanner("1-1.2", serial: "BS200-9", hash: "h9")]) == ["device.serial-changed@1-1.2"])
    }

    @Test func anotherFirmware() {
        #expect(kinds([sealed[0], Self.scanner("1-1.2", serial: "BS200-2", bcd: 0x0200, hash: "h9")])
            == ["device.firmware-changed@1-1.2"])
    }

    @Test func otherInterfaces() {
        let printerToo = Self.scanner("1-1.2", serial: "BS200-2", hash: "h9",
                                      interfaces: [InterfaceType(classCode: 0xff, subclass: 0, protocol: 0),
                                                   InterfaceType(classCode: 7, subclass: 1, protocol: 2)])
        #expect(kinds([sealed[0], printerToo]) == ["device.interfaces-changed@1-1.2"])
    }

    @Test(arguments: [UInt8(0x03), 0x02, 0x0a, 0xe0])
    func aGainedHIDOrNetworkInterfaceIsBadUSB(classCode: UInt8) {
        let badusb = Self.scanner("1-1.2", serial: "BS200-2", hash: "h9",
                                  interfaces: [InterfaceType(classCode: 0xff, subclass: 0, protocol: 0),
                                               InterfaceType(classCode: classCode, subclass: 1, protocol: 1)])
        #expect(kinds([sealed[0], badusb]) == ["device.gained-hid-or-network@1-1.2"])
    }

    @Test func anotherHashAlone() {
        #expect(kinds([sealed[0], Self.scanner("1-1.2", serial: "BS200-2", hash: "h9")]) == ["device.hash-changed@1-1.2"])
    }

    @Test func aFlappingScanner() {
        let minute: Int64 = 60_000_000
        let four = (1...4).map { Int64($0) * minute }
        #expect(kinds(sealed, connects: ["1-1.2": four], now: 5 * minute) == ["scanner.flapping@1-1.2"])
        #expect(kinds(sealed, connects: ["1-1.2": Array(four.prefix(3))], now: 5 * minute).isEmpty, "three is not more than three")
        #expect(kinds(sealed, connects: ["1-1.2": four], now: 20 * minute).isEmpty, "outside the ten-minute window")
    }

    @Test func severitiesRiseWhileThePollsAreOpen() {
        #expect(DriftCondition.Kind.missing.severity(in: .setup) == .error)
        #expect(DriftCondition.Kind.missing.severity(in: .open) == .critical)
        #expect(DriftCondition.Kind.unexpected.severity(in: .open) == .error)
        #expect(DriftCondition.Kind.unexpected.severity(in: .closed) == .warning)
        #expect(DriftCondition.Kind.gainedHIDOrNetwork.severity(in: .setup) == .critical)
    }

    @Test func alarmsAreRaisedOnceAcknowledgedAndClearedWhenTheConditionEnds() throws {
        var book = AlarmBook([])
        let missing = DriftDetector.conditions(inventory: inventory, present: [sealed[0]], connects: [:], now: 0)
        let raised = book.reconcile(missing, phase: .open, time: time)
        #expect(raised.changes == [.raise(Alarm(kind: .drift(.missing), severity: .critical, subject: "1-1.2",
                                                 detail: "sealed ballot-scanner 2c4e:0b01 is missing"))])
        #expect(raised.drafts.map(\.type) == ["alarm.raised"])
        #expect(raised.drafts[0].severity == .critical)
        #expect(book.reconcile(missing, phase: .open, time: time).changes.isEmpty, "raised once")

        let acknowledged = book.acknowledge(kind: .drift(.missing), subject: "1-1.2", by: "uid 1000", note: "cable", time: time)
        let ack = try #require(acknowledged)
        #expect(ack.0 == .acknowledge(kind: .drift(.missing), subject: "1-1.2", by: "uid 1000", note: "cable"))
        #expect(book.open.values.first?.state == .acknowledged)
        let none = book.acknowledge(kind: .drift(.unexpected), subject: "1-1.2", by: "x", note: "", time: time)
        #expect(none == nil)

        let cleared = book.reconcile([], phase: .open, time: time)
        #expect(cleared.changes == [.clear(kind: .drift(.missing), subject: "1-1.2")])
        #expect(cleared.drafts.map(\.type) == ["alarm.cleared"])
        #expect(book.open.isEmpty)
    }

    @Test func alarmsOfOtherKindsAreLeftAlone() {
        var book = AlarmBook([Alarm(kind: .damagedDatabase, severity: .critical, subject: "state", detail: "x")])
        #expect(book.reconcile([], phase: .setup, time: time).changes.isEmpty)
        #expect(book.open.count == 1)
    }
}
