@testable import NazoratCore  // DriftCondition's memberwise initialiser is internal
import Testing

/// The alarm table: raise, clear, acknowledge, regrade and reconcile, with the events of each change.
@Suite struct AlarmBookTests {
    private let time = EventTime(realtimeUSec: 1_700_000_000_000_000, monotonicUSec: 42, bootID: "b")

    private static let counterAlarm = Alarm(kind: .counters(.publicDecreased), severity: .critical, subject: "1-1.1",
                                            detail: "1-1.1's public counter went down from 5 to 4")

    private static func condition(_ kind: DriftCondition.Kind, _ port: String, _ detail: String = "d") -> DriftCondition {
        DriftCondition(kind: kind, port: port, detail: detail)
    }

    /// "kind@subject" of every open alarm.
    private static func openKeys(_ book: AlarmBook) -> Set<String> {
        Set(book.open.values.map { "\($0.kind)@\($0.subject)" })
    }

    private static func alarm(_ book: AlarmBook, _ kind: String, _ subject: String) -> Alarm? {
        book.open.values.first { $0.kind.rawValue == kind && $0.subject == subject }
    }

    @Test func aRaisedAlarmIsOpenAndRecordedByAnEvent() throws {
        var book = AlarmBook([])
        let result = book.raise(Self.counterAlarm, phase: .open, time: time)
        let (change, draft) = try #require(result)
        #expect(change == .raise(Self.counterAlarm))
        #expect(draft == EventDraft(
            type: .alarmRaised, severity: .critical, subject: "1-1.1",
            message: "alarm: counter.public-decreased at 1-1.1: 1-1.1's public counter went down from 5 to 4 (polls open)",
            payload: #"{"detail":"1-1.1's public counter went down from 5 to 4","kind":"counter.public-decreased","#
                + #""phase":"open","severity":"critical","subject":"1-1.1"}"#,
            time: time))
        #expect(Array(book.open.values) == [Self.counterAlarm])
        #expect(book.open.values.first?.state == .raised)
    }

    @Test(arguments: Severity.allCases)
    func aRaisedAlarmKeepsItsOwnSeverity(severity: Severity) throws {
        var book = AlarmBook([])
        let alarm = Alarm(kind: .damagedDatabase, severity: severity, subject: "state", detail: "x")
        let result = book.raise(alarm, phase: .setup, time: time)
        let (_, draft) = try #require(result)
        #expect(draft.severity == severity)
        #expect(draft.message.hasSuffix("(polls setup)"))
    }

    @Test func raisingTheSameKindAndSubjectTwiceDoesNotDuplicate() throws {
        var book = AlarmBook([])
        let result = book.raise(Self.counterAlarm, phase: .open, time: time)
        _ = try #require(result)
        var again = Self.counterAlarm
        again.detail = "another sentence"
        again.severity = .warning
        #expect(book.raise(again, phase: .open, time: time) == nil)
        #expect(Array(book.open.values) == [Self.counterAlarm], "the first one stays as it was")

        let acknowledged = book.acknowledge(kind: again.kind, subject: again.subject, by: "uid 1000", note: "", time: time)
        _ = try #require(acknowledged)
        #expect(book.raise(Self.counterAlarm, phase: .open, time: time) == nil, "nor once it is acknowledged")
        #expect(book.open.values.first?.state == .acknowledged)
    }

    @Test func anotherSubjectOrAnotherKindIsAnotherAlarm() {
        var book = AlarmBook([])
        var otherPort = Self.counterAlarm
        otherPort.subject = "1-1.2"
        var otherKind = Self.counterAlarm
        otherKind.kind = .counters(.afterClose)
        for alarm in [Self.counterAlarm, otherPort, otherKind] {
            #expect(book.raise(alarm, phase: .open, time: time) != nil)
        }
        #expect(Self.openKeys(book) == ["counter.public-decreased@1-1.1", "counter.public-decreased@1-1.2",
                                        "counter.after-close@1-1.1"])
    }

    @Test func clearingAnAlarmThatIsNotOpenReturnsNil() {
        var book = AlarmBook([Self.counterAlarm])
        #expect(book.clear(kind: .counters(.publicDecreased), subject: "1-1.2", time: time) == nil)
        #expect(book.clear(kind: .counters(.afterClose), subject: "1-1.1", time: time) == nil)
        #expect(Array(book.open.values) == [Self.counterAlarm])
        var empty = AlarmBook([])
        #expect(empty.clear(kind: .drift(.missing), subject: "1-1.1", time: time) == nil)
    }

    @Test func clearingAnOpenAlarmClosesItWithAnEvent() throws {
        var book = AlarmBook([Self.counterAlarm])
        let result = book.clear(kind: .counters(.publicDecreased), subject: "1-1.1", time: time)
        let (change, draft) = try #require(result)
        #expect(change == .clear(kind: .counters(.publicDecreased), subject: "1-1.1"))
        #expect(draft == EventDraft(type: .alarmCleared, severity: .notice, subject: "1-1.1",
                                    message: "alarm cleared: counter.public-decreased at 1-1.1",
                                    payload: #"{"kind":"counter.public-decreased","subject":"1-1.1"}"#, time: time))
        #expect(book.open.isEmpty)
        #expect(book.clear(kind: .counters(.publicDecreased), subject: "1-1.1", time: time) == nil, "cleared once")
        #expect(book.raise(Self.counterAlarm, phase: .open, time: time) != nil, "and it can be raised again")
    }

    @Test func acknowledgingKeepsTheAlarmOpen() throws {
        var book = AlarmBook([Self.counterAlarm])
        let result = book.acknowledge(kind: .counters(.publicDecreased), subject: "1-1.1",
                                  by: "uid 1000 (technician)", note: "cable\nloose", time: time)
        let (change, draft) = try #require(result)
        #expect(change == .acknowledge(kind: .counters(.publicDecreased), subject: "1-1.1",
                                       by: "uid 1000 (technician)", note: "cable\nloose"))
        #expect(draft.type == "alarm.acknowledged")
        #expect(draft.severity == .notice)
        #expect(draft.subject == "1-1.1")
        #expect(draft.message == #"alarm acknowledged: counter.public-decreased at 1-1.1 by uid 1000 (technician): cable\nloose"#)
        #expect(draft.payload == #"{"by":"uid 1000 (technician)","kind":"counter.public-decreased","note":"cable\nloose","#
                + #""subject":"1-1.1"}"#)
        #expect(draft.time == time)
        let alarm = try #require(Self.alarm(book, "counter.public-decreased", "1-1.1"))
        #expect(alarm.state == .acknowledged)
        #expect(alarm.acknowledgedBy == "uid 1000 (technician)")
        #expect(alarm.note == "cable\nloose")
        #expect((alarm.severity, alarm.detail) == (Self.counterAlarm.severity, Self.counterAlarm.detail))
        #expect(book.open.count == 1)
    }

    @Test func acknowledgingAnAlarmThatIsNotOpenReturnsNil() {
        var book = AlarmBook([Self.counterAlarm])
        #expect(book.acknowledge(kind: .drift(.missing), subject: "1-1.1", by: "uid 0", note: "", time: time) == nil)
        #expect(book.open.values.first?.state == .raised)
    }

    @Test func aLoadedBookKeepsOnlyTheAlarmsNotCleared() {
        var cleared = Self.counterAlarm
        cleared.subject = "1-1.2"
        cleared.state = .cleared
        var acknowledged = Self.counterAlarm
        acknowledged.subject = "1-1.3"
        acknowledged.state = .acknowledged
        let book = AlarmBook([Self.counterAlarm, cleared, acknowledged])
        #expect(Self.openKeys(book) == ["counter.public-decreased@1-1.1", "counter.public-decreased@1-1.3"])
        #expect(Self.alarm(book, "counter.public-decreased", "1-1.3")?.state == .acknowledged)
    }

    @Test func regradingRaisesDriftAlarmsWhileThePollsAreOpenAndLowersThemAfterClose() throws {
        var book = AlarmBook([Self.counterAlarm])
        _ = book.reconcile([Self.condition(.missing, "1-1.2"), Self.condition(.unexpected, "1-3"),
                            Self.condition(.gainedHIDOrNetwork, "1-1.1")], phase: .setup, time: time)
        let opened = book.regrade(for: .open, time: time)
        #expect(opened.changes == [.regrade(kind: .drift(.missing), subject: "1-1.2", severity: .critical),
                                   .regrade(kind: .drift(.unexpected), subject: "1-3", severity: .error)])
        #expect(opened.drafts.map(\.type) == ["alarm.regraded", "alarm.regraded"])
        #expect(opened.drafts.map(\.severity) == [.critical, .error])
        #expect(opened.drafts[0].message == "alarm device.missing at 1-1.2 is now critical (polls open)")
        #expect(opened.drafts[0].payload
            == #"{"kind":"device.missing","phase":"open","severity":"critical","subject":"1-1.2"}"#)
        #expect(opened.drafts[0].subject == "1-1.2")
        #expect(Self.alarm(book, "device.missing", "1-1.2")?.severity == .critical)
        #expect(Self.alarm(book, "device.gained-hid-or-network", "1-1.1")?.severity == .critical, "critical stays")
        #expect(Self.alarm(book, "counter.public-decreased", "1-1.1") == Self.counterAlarm, "not a drift kind")

        #expect(book.regrade(for: .open, time: time).changes.isEmpty, "nothing to change twice")
        let closed = book.regrade(for: .closed, time: time)
        #expect(closed.changes == [.regrade(kind: .drift(.missing), subject: "1-1.2", severity: .error),
                                   .regrade(kind: .drift(.unexpected), subject: "1-3", severity: .warning)])
        #expect(closed.drafts.map(\.message).last == "alarm device.unexpected at 1-3 is now warning (polls closed)")
        #expect(Self.alarm(book, "device.unexpected", "1-3")?.severity == .warning)
    }

    @Test(arguments: DriftCondition.Kind.allCases)
    func regradingGivesEveryDriftKindItsSeverityWhileOpen(kind: DriftCondition.Kind) {
        var book = AlarmBook([])
        _ = book.reconcile([Self.condition(kind, "1-2")], phase: .setup, time: time)
        #expect(Self.alarm(book, kind.rawValue, "1-2")?.severity == kind.baseSeverity)
        let regraded = book.regrade(for: .open, time: time)
        let raisedTo = kind.severity(in: .open)
        #expect(raisedTo > kind.baseSeverity || raisedTo == .critical, "one step up, to critical at most")
        #expect(regraded.changes == (raisedTo == kind.baseSeverity ? []
                                     : [.regrade(kind: .drift(kind), subject: "1-2", severity: raisedTo)]))
        #expect(Self.alarm(book, kind.rawValue, "1-2")?.severity == raisedTo)
    }

    @Test func regradingKeepsTheAcknowledgement() throws {
        var book = AlarmBook([])
        _ = book.reconcile([Self.condition(.missing, "1-1.2")], phase: .setup, time: time)
        let result = book.acknowledge(kind: .drift(.missing), subject: "1-1.2", by: "uid 1000", note: "n", time: time)
        _ = try #require(result)
        _ = book.regrade(for: .open, time: time)
        let alarm = try #require(Self.alarm(book, "device.missing", "1-1.2"))
        #expect((alarm.state, alarm.acknowledgedBy, alarm.severity) == (.acknowledged, "uid 1000", .critical))
    }

    @Test func reconcilingRaisesWhatNewlyHoldsAndClearsWhatEnded() {
        var book = AlarmBook([Self.counterAlarm])
        let first = book.reconcile([Self.condition(.missing, "1-1.2", "sealed scanner is missing"),
                                    Self.condition(.unexpected, "1-3")], phase: .open, time: time)
        #expect(first.changes == [
            .raise(Alarm(kind: .drift(.missing), severity: .critical, subject: "1-1.2", detail: "sealed scanner is missing")),
            .raise(Alarm(kind: .drift(.unexpected), severity: .error, subject: "1-3", detail: "d")),
        ], "in port order, each with the severity of the phase")
        #expect(first.drafts.map(\.type) == ["alarm.raised", "alarm.raised"])
        #expect(first.drafts.map(\.severity) == [.critical, .error])
        #expect(first.drafts[0].message == "alarm: device.missing at 1-1.2: sealed scanner is missing (polls open)")

        let second = book.reconcile([Self.condition(.unexpected, "1-3"), Self.condition(.moved, "1-4")],
                                    phase: .open, time: time)
        #expect(second.changes == [.clear(kind: .drift(.missing), subject: "1-1.2"),
                                   .raise(Alarm(kind: .drift(.moved), severity: .error, subject: "1-4", detail: "d"))])
        #expect(second.drafts.map(\.type) == ["alarm.cleared", "alarm.raised"])
        #expect(second.drafts[0] == EventDraft(type: .alarmCleared, severity: .notice, subject: "1-1.2",
                                               message: "alarm cleared: device.missing at 1-1.2",
                                               payload: #"{"kind":"device.missing","subject":"1-1.2"}"#, time: time))
        #expect(Self.openKeys(book) == ["counter.public-decreased@1-1.1", "device.unexpected@1-3", "device.moved@1-4"],
                "the counter alarm is not a drift kind, so reconciling leaves it")
    }

    @Test func reconcilingAnAlarmThatStillHoldsChangesNothing() throws {
        var book = AlarmBook([])
        _ = book.reconcile([Self.condition(.missing, "1-1.2", "first")], phase: .setup, time: time)
        let result = book.acknowledge(kind: .drift(.missing), subject: "1-1.2", by: "uid 1000", note: "", time: time)
        _ = try #require(result)
        let again = book.reconcile([Self.condition(.missing, "1-1.2", "second")], phase: .open, time: time)
        #expect(again.changes.isEmpty && again.drafts.isEmpty)
        let alarm = try #require(Self.alarm(book, "device.missing", "1-1.2"))
        #expect((alarm.detail, alarm.state, alarm.severity) == ("first", .acknowledged, .error))
    }

    @Test func reconcilingNothingWithNothingChangesNothing() {
        var book = AlarmBook([])
        let result = book.reconcile([], phase: .open, time: time)
        #expect(result.changes.isEmpty && result.drafts.isEmpty && book.open.isEmpty)
    }
}
