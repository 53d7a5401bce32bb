import NazoratCore
import Testing

/// How each counter report is judged, and what opening and closing the polls do to the counters.
@Suite struct CounterBookTests {
    private static let port = "1-1.1"

    private static func counters(_ publicCount: Int64, _ protectiveCount: Int64) -> ScannerCounters {
        ScannerCounters(publicCount: publicCount, protectiveCount: protectiveCount)
    }

    /// A report from the sealed, connected scanner at `port`.
    @discardableResult
    private static func report(_ book: inout CounterBook, _ publicCount: Int64, _ protectiveCount: Int64,
                               port: String = port, phase: PollsPhase = .setup,
                               sealed: Bool = true, connected: Bool = true) -> CounterBook.Outcome {
        book.report(counters(publicCount, protectiveCount), port: port, phase: phase,
                    isSealedScanner: sealed, isConnected: connected)
    }

    /// A book whose scanner at `port` has reported (5, 105).
    private static func bookAt5() -> CounterBook {
        CounterBook([port: ScannerRecord(current: counters(5, 105), protectiveAtOpen: nil)])
    }

    @Test(arguments: [PollsPhase.setup, .open])
    func aFirstReportIsAccepted(phase: PollsPhase) {
        var book = CounterBook()
        #expect(Self.report(&book, 3, 103, phase: phase) == .accepted(changed: true))
        #expect(book.scanners == [Self.port: ScannerRecord(current: Self.counters(3, 103), protectiveAtOpen: nil)])
    }

    @Test(arguments: [PollsPhase.setup, .open, .closed])
    func aRepeatedReportChangesNothing(phase: PollsPhase) {
        var book = Self.bookAt5()
        let before = book
        #expect(Self.report(&book, 5, 105, phase: phase) == .accepted(changed: false))
        #expect(book == before)
    }

    @Test func risingCountersBecomeCurrent() {
        var book = Self.bookAt5()
        #expect(Self.report(&book, 6, 106) == .accepted(changed: true))
        #expect(Self.report(&book, 6, 107) == .accepted(changed: true), "the protective counter alone may rise")
        #expect(Self.report(&book, 9, 107) == .accepted(changed: true), "the public counter alone may rise")
        #expect(book.scanners[Self.port]?.current == Self.counters(9, 107))
    }

    @Test func aLowerProtectiveCounterIsAnAnomaly() {
        var book = Self.bookAt5()
        let before = book
        #expect(Self.report(&book, 6, 104) == .anomaly(.protectiveDecreased,
                                                      detail: "1-1.1's protective counter went down from 105 to 104"))
        #expect(book == before, "the last good values stay current")
    }

    @Test func aLowerPublicCounterIsAnAnomaly() {
        var book = Self.bookAt5()
        let before = book
        #expect(Self.report(&book, 4, 106, phase: .open) == .anomaly(
            .publicDecreased, detail: "1-1.1's public counter went down from 5 to 4 without a polls-open reset"))
        #expect(book == before)
    }

    @Test func whenBothCountersFallTheProtectiveOneIsReported() {
        var book = Self.bookAt5()
        #expect(Self.report(&book, 0, 0) == .anomaly(.protectiveDecreased,
                                                  detail: "1-1.1's protective counter went down from 105 to 0"))
    }

    @Test func aReportAfterAnAnomalyIsJudgedAgainstTheLastGoodValues() {
        var book = Self.bookAt5()
        Self.report(&book, 2, 102)
        #expect(Self.report(&book, 4, 104) == .anomaly(.protectiveDecreased,
                                                    detail: "1-1.1's protective counter went down from 105 to 104"))
        #expect(Self.report(&book, 6, 106) == .accepted(changed: true))
        #expect(book.scanners[Self.port]?.current == Self.counters(6, 106))
    }

    @Test(arguments: [(Int64(-1), Int64(5)), (5, -1), (-1, -1)])
    func negativeCountersAreRefused(publicCount: Int64, protectiveCount: Int64) {
        var book = CounterBook()
        // Both negative counters are filed as `publicDecreased` (even a negative protective one).
        #expect(Self.report(&book, publicCount, protectiveCount)
            == .anomaly(.publicDecreased, detail: "negative counters reported for 1-1.1"))
        #expect(book.scanners.isEmpty)
    }

    @Test func aPortThatIsNotASealedScannerIsRefused() {
        var book = Self.bookAt5()
        let before = book
        let detail = "counters reported for 1-3, which is not a sealed ballot scanner"
        #expect(Self.report(&book, 1, 1, port: "1-3", sealed: false) == .anomaly(.notASealedScanner, detail: detail))
        #expect(Self.report(&book, 1, 1, port: "1-3", sealed: false, connected: false)
            == .anomaly(.notASealedScanner, detail: detail), "the seal is checked before the connection")
        #expect(Self.report(&book, -1, -1, port: "1-3", phase: .closed, sealed: false)
            == .anomaly(.notASealedScanner, detail: detail), "and before the values and the phase")
        #expect(book == before)
    }

    @Test func aSealedScannerThatIsNotConnectedIsRefused() {
        var book = Self.bookAt5()
        let before = book
        let detail = "counters reported for 1-1.1, but the sealed scanner is not connected"
        #expect(Self.report(&book, 6, 106, connected: false) == .anomaly(.scannerAbsent, detail: detail))
        #expect(Self.report(&book, 5, 105, connected: false) == .anomaly(.scannerAbsent, detail: detail),
                "even a repeat")
        #expect(book == before)
    }

    @Test(arguments: CounterBook.Anomaly.allCases)
    func everyAnomalyHasItsKindAndSeverity(anomaly: CounterBook.Anomaly) {
        var book = Self.bookAt5()
        let outcome = switch anomaly {
        case .protectiveDecreased: Self.report(&book, 5, 100)
        case .publicDecreased: Self.report(&book, 1, 105)
        case .notASealedScanner: Self.report(&book, 5, 105, sealed: false)
        case .scannerAbsent: Self.report(&book, 5, 105, connected: false)
        case .afterClose: Self.report(&book, 6, 106, phase: .closed)
        }
        guard case .anomaly(let seen, _) = outcome else {
            Issue.record("\(anomaly) was accepted: \(outcome)")
            return
        }
        #expect(seen == anomaly)
        let expected: [CounterBook.Anomaly: (String, Severity)] = [
            .protectiveDecreased: ("counter.protective-decreased", .critical),
            .publicDecreased: ("counter.public-decreased", .critical),
            .notASealedScanner: ("counter.unknown-scanner", .error),
            .scannerAbsent: ("counter.scanner-absent", .error),
            .afterClose: ("counter.after-close", .critical),
        ]
        #expect(anomaly.rawValue == expected[anomaly]?.0)
        #expect(anomaly.severity == expected[anomaly]?.1)
    }

    @Test func openingThePollsResetsPublicCountsAndRecordsProtectiveOnes() {
        var book = CounterBook()
        Self.report(&book, 7, 1207)
        Self.report(&book, 3, 503, port: "1-1.2")
        book.openPolls(scannerPorts: [Self.port, "1-1.2"])
        #expect(book.scanners == [
            Self.port: ScannerRecord(current: Self.counters(0, 1207), protectiveAtOpen: 1207),
            "1-1.2": ScannerRecord(current: Self.counters(0, 503), protectiveAtOpen: 503),
        ])
    }

    @Test func openingThePollsCoversSealedPortsNotYetReportedAndKnownPortsNotListed() {
        var book = CounterBook()
        Self.report(&book, 7, 1207, port: "1-4")
        book.openPolls(scannerPorts: [Self.port, Self.port, "1-1.2"])
        #expect(book.scanners == [
            Self.port: ScannerRecord(current: nil, protectiveAtOpen: nil),
            "1-1.2": ScannerRecord(current: nil, protectiveAtOpen: nil),
            "1-4": ScannerRecord(current: Self.counters(0, 1207), protectiveAtOpen: 1207),
        ])
    }

    @Test func afterOpeningCountingStartsFromZeroAndTheOpeningStaysRecorded() {
        var book = Self.bookAt5()
        book.openPolls(scannerPorts: [Self.port])
        #expect(Self.report(&book, 0, 105, phase: .open) == .accepted(changed: false), "the reset values repeat")
        #expect(Self.report(&book, 2, 107, phase: .open) == .accepted(changed: true))
        #expect(Self.report(&book, 1, 108, phase: .open) == .anomaly(
            .publicDecreased, detail: "1-1.1's public counter went down from 2 to 1 without a polls-open reset"))
        #expect(book.scanners[Self.port] == ScannerRecord(current: Self.counters(2, 107), protectiveAtOpen: 105))
    }

    @Test func aScannerFirstHeardAfterOpeningHasNoOpeningValue() {
        var book = CounterBook()
        book.openPolls(scannerPorts: [Self.port])
        #expect(Self.report(&book, 4, 104, phase: .open) == .accepted(changed: true))
        #expect(book.scanners[Self.port] == ScannerRecord(current: Self.counters(4, 104), protectiveAtOpen: nil))
    }

    @Test func afterCloseTheCountersAreFinal() {
        var book = Self.bookAt5()
        let before = book
        let final = "the final counters are public 5, protective 105"
        #expect(Self.report(&book, 6, 106, phase: .closed) == .anomaly(
            .afterClose, detail: "1-1.1 reported public 6, protective 106 after the polls closed; " + final))
        #expect(Self.report(&book, 4, 104, phase: .closed) == .anomaly(
            .afterClose, detail: "1-1.1 reported public 4, protective 104 after the polls closed; " + final),
                "a decrease after close is reported as after-close")
        #expect(Self.report(&book, 5, 105, phase: .closed) == .accepted(changed: false))
        #expect(book == before)
    }

    @Test func aFirstReportAfterCloseIsRefused() {
        var book = CounterBook()
        #expect(Self.report(&book, 1, 1, phase: .closed)
            == .anomaly(.afterClose, detail: "1-1.1 reported public 1, protective 1 after the polls closed"))
        #expect(book.scanners.isEmpty)
    }

    @Test func theOrderOfGoodReportsDoesNotChangeTheOutcome() {
        let chain = [Self.counters(1, 101), Self.counters(2, 102), Self.counters(2, 103), Self.counters(4, 105)]
        let orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]]
        for order in orders {
            var book = CounterBook()
            for index in order {
                _ = book.report(chain[index], port: Self.port, phase: .open, isSealedScanner: true, isConnected: true)
            }
            #expect(book.scanners[Self.port]?.current == Self.counters(4, 105), "order \(order)")
        }
    }

    @Test func reportsForOnePortLeaveTheOthersAlone() {
        var book = Self.bookAt5()
        Self.report(&book, 1, 1, port: "1-1.2")
        #expect(Self.report(&book, 0, 0, port: "1-1.2") == .anomaly(
            .protectiveDecreased, detail: "1-1.2's protective counter went down from 1 to 0"))
        #expect(book.scanners[Self.port]?.current == Self.counters(5, 105))
        #expect(book.scanners["1-1.2"]?.current == Self.counters(1, 1))
    }
}
