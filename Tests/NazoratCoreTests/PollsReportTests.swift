import NazoratCore
import Testing

/// What the zero and closing reports find, and how the receipt printer shows them.
@Suite struct PollsReportTests {
    private static func device(_ port: String, _ product: UInt16, serial: DeviceString?, hash: String) -> USBDevice {
        USBDevice(syspath: "/sys/devices/pci0000:00/usb1/" + port, port: port, vendorID: 0x2c4e, productID: product,
                  serial: serial, interfaces: [.init(classCode: 0xff, subclass: 0, protocol: 0)], connectType: .hotplug,
                  parentPort: "usb1", authorized: true, hash: hash)
    }

    /// Two sealed scanners (1-1, 1-2) and a sealed printer (1-3) whose serial is hostile.
    private static let hostileSerial = DeviceString(bytes: Array("SN\t".utf8) + [0x1B] + Array("]8;;http://x".utf8) + [0x07]
        + Array("link".utf8) + [0xE2, 0x80, 0xAE, 0xFF, 0x0A] + Array(repeating: 0x57, count: 300)
        + [0xE7, 0x95, 0x8C])
    private static let scanners = [device("1-1", 0x0b01, serial: DeviceString("BS200-1"), hash: "s1"),
                                   device("1-2", 0x0b01, serial: DeviceString("BS200-2"), hash: "s2")]
    private static let printer = device("1-3", 0x0e15, serial: hostileSerial, hash: "p")
    private static let inventory = Inventory(devices: scanners + [printer]) { $0.productID == 0x0b01 ? .ballotScanner : .printer }

    private static func check(present: [USBDevice] = scanners + [printer], counters: [String: ScannerRecord],
                              intact: Bool = true) -> ReadinessCheck {
        ReadinessCheck(station: "TEST-0001", version: "0.2.0", keyId: String(repeating: "ab", count: 16),
                       inventory: inventory, present: present, counters: counters,
                       log: .init(head: LogHead(seq: 41, hash: String(repeating: "c", count: 64)), intact: intact,
                                  verifiedEvents: 41, problem: intact ? nil : "event 7 was edited"),
                       clock: CentralClock(offsetUsec: -1_250, roundTripUsec: 4_000, measuredUsec: 0))
    }

    private static func record(_ publicCount: Int64, _ protective: Int64, atOpen: Int64? = nil) -> ScannerRecord {
        ScannerRecord(current: ScannerCounters(publicCount: publicCount, protectiveCount: protective), protectiveAtOpen: atOpen)
    }

    private static let zeroed = ["1-1": record(0, 1200), "1-2": record(0, 800)]

    @Test func aStationWithEveryScannerAtZeroIsReady() {
        let report = Self.check(counters: Self.zeroed).report(.zero, by: "uid 0 (root) pid 1", at: 1_790_000_000_000_000)
        #expect(report.isReady && report.problems.isEmpty)
        #expect(report.devices.map(\.present) == [true, true, true])
        #expect(report.scanners.map(\.public) == [0, 0] && report.scanners.map(\.protective) == [1200, 800])
        #expect(PollsReceipt.render(report).contains("\nREADY\n"))
    }

    @Test func aNonZeroPublicCounterAMissingScannerAndABrokenLogRefuseAnOpening() {
        var counters = Self.zeroed
        counters["1-1"] = Self.record(3, 1203)
        let report = Self.check(present: [Self.scanners[0]], counters: counters, intact: false)
            .report(.zero, by: "uid 0 (root) pid 1", at: 0)
        #expect(!report.isReady)
        #expect(report.problems.map(\.kind) == [.publicNotZero, .scannerMissing, .deviceMissing, .logBroken])
        #expect(report.problems.filter(\.blocksOpening).map(\.subject) == ["1-1", "1-2", "log"])
        #expect(report.problems.filter { !$0.blocksOpening }.map(\.kind) == [.deviceMissing])
        #expect(report.problems[0].detail.contains("shows 3 on its public counter"))
    }

    @Test func aScannerThatHasNotReportedRefusesAnOpeningAMissingPrinterDoesNot() {
        let unreported = Self.check(counters: ["1-1": Self.record(0, 1200)]).report(.zero, by: "uid 0", at: 0)
        #expect(!unreported.isReady && unreported.problems.map(\.kind) == [.countersNotReported])
        #expect(unreported.scanners.map(\.port) == ["1-1", "1-2"] && unreported.scanners[1].public == nil)
        let noPrinter = Self.check(present: Self.scanners, counters: Self.zeroed).report(.zero, by: "uid 0", at: 0)
        #expect(noPrinter.isReady && noPrinter.problems.map(\.kind) == [.deviceMissing])
        #expect(PollsReceipt.render(noPrinter).contains("READY, with notes:"))
    }

    @Test func theClosingReportCountsTheBallotsTakenWhileThePollsWereOpen() {
        let counters = ["1-1": Self.record(218, 1418, atOpen: 1200), "1-2": Self.record(97, 897, atOpen: 800)]
        let report = Self.check(counters: counters).report(.closing, by: "uid 0", at: 0)
        #expect(report.scanners.map(\.ballots) == [218, 97] && report.scanners.map(\.protectiveAtOpen) == [1200, 800])
        #expect(report.problems.isEmpty)
        let receipt = PollsReceipt.render(report)
        #expect(receipt.contains("CLOSING REPORT") && receipt.contains("NO PROBLEMS FOUND"))
        #expect(receipt.contains("   ballots while open                  218"))
    }

    @Test(arguments: [PollsReport.Occasion.zero, .closing])
    func theReceiptFits42ColumnsOfPrintableASCIIAndEscapesDeviceStrings(occasion: PollsReport.Occasion) {
        var report = Self.check(present: [Self.printer], counters: Self.zeroed, intact: false).report(occasion, by: "uid 0", at: 0)
        report.force = PollsReport.Force(by: "uid 0 (root) pid 7", reason: String(repeating: "a long reason ", count: 12))
        let receipt = PollsReceipt.render(report)
        let lines = receipt.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(receipt.hasSuffix("\n"))
        for line in lines {
            #expect(line.count <= PollsReceipt.width, "\(line.count) columns: \(line)")
            #expect(line.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "not printable ASCII: \(line)")
        }
        // The serial's bytes, escaped: the ESC and BEL, the bidi override, the invalid byte,
        // the newline; cut after 128 bytes; whatever is not ASCII as \u{...}.
        let joined = lines.map { $0.trimmingPrefix(while: { $0 == " " }) }.joined()
        #expect(joined.contains(#""SN\t\x1b]8;;http://x\x07link\u{202E}\xff\nWWW"#), "\(joined)")
        #expect(joined.contains("...(+"), "a long serial is cut with the count of bytes left")
        #expect(!receipt.contains("\u{1B}") && !receipt.contains("\u{202E}"))
        #expect(receipt.contains("Clock        1 ms ahead of central (+/- 2\n"))
        #expect(joined.contains("measured by the uplink") && joined.contains("at 1970-01-01 00:00:00 UTC"))
        #expect(receipt.contains("OPENED BY FORCE by uid 0 (root) pid 7: a\n"))
    }

    @Test func wideAndCombiningCharactersAreEscapedNotCounted() {
        #expect(PollsReceipt.ascii("界e\u{301}…") == #"\u{754C}e\u{301}..."#)
        #expect(PollsReceipt.wrap(String(repeating: "x", count: 90)).map(\.count) == [42, 42, 6])
        #expect(PollsReceipt.wrap("- " + String(repeating: "word ", count: 12), indent: 2).allSatisfy { $0.count <= 42 })
        // Regression (review): an indent of a whole line left no room and never ended.
        #expect(PollsReceipt.wrap(String(repeating: "y", count: 50), indent: 41).allSatisfy { $0.count <= 42 })
        #expect(PollsReceipt.wrap(String(repeating: "z", count: 42)) == [String(repeating: "z", count: 42)])
        #expect(PollsReceipt.wrap("") == [""])
    }

    // Regression (review): the most negative offset trapped when the receipt negated it.
    @Test func anyClockFiguresPrintAndOnlyPlausibleOnesAreTaken() {
        var report = Self.check(counters: Self.zeroed).report(.zero, by: "uid 0", at: 0)
        report.clock = CentralClock(offsetUsec: .min, roundTripUsec: .max, measuredUsec: .max)
        let receipt = PollsReceipt.render(report)
        #expect(receipt.contains("9223372036854776 ms ahead of"))
        #expect(receipt.split(separator: "\n").allSatisfy { $0.count <= PollsReceipt.width })
        #expect(report.clock?.isPlausible == false)
        #expect(CentralClock(offsetUsec: -CentralClock.offsetBound, roundTripUsec: 0, measuredUsec: 0).isPlausible)
        #expect(!CentralClock(offsetUsec: 0, roundTripUsec: -1, measuredUsec: 0).isPlausible)
    }

    @Test func anEnvelopeKindNamesItsOccasion() {
        #expect(PollsReport.Occasion(envelopeKind: "zero-report") == .zero)
        #expect(PollsReport.Occasion(envelopeKind: "closing-report") == .closing)
        #expect(PollsReport.Occasion(envelopeKind: "final-report") == nil)
        #expect(CentralClock.measure(sentUsec: 1_000, answeredUsec: 5_000, centralUsec: 10_000)
                == CentralClock(offsetUsec: 7_000, roundTripUsec: 4_000, measuredUsec: 5_000))
    }
}
