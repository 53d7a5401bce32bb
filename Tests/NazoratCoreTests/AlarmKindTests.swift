import Foundation
import NazoratCore
import Testing

@Suite struct AlarmKindTests {
    private static let known: [AlarmKind] = DriftCondition.Kind.allCases.map(AlarmKind.drift)
        + CounterBook.Anomaly.allCases.map(AlarmKind.counters) + [.damagedDatabase, .outboxNearFull]

    @Test func everyKindIsFoundAgainByItsStableName() {
        for kind in Self.known { #expect(AlarmKind(rawValue: kind.rawValue) == kind, "\(kind)") }
        #expect(Set(Self.known.map(\.rawValue)).count == Self.known.count, "no two kinds share a name")
        #expect(AlarmKind.drift(.missing).rawValue == "device.missing")
        #expect(AlarmKind.counters(.afterClose).rawValue == "counter.after-close")
    }

    @Test func aNameFromANewerVersionIsKeptAsIs() {
        #expect(AlarmKind(rawValue: "printer.out-of-paper") == .unknown("printer.out-of-paper"))
        #expect(AlarmKind(rawValue: "printer.out-of-paper").rawValue == "printer.out-of-paper")
    }

    @Test func itTravelsInJSONAsItsName() throws {
        let alarm = Alarm(kind: .outboxNearFull, severity: .error, subject: "outbox", detail: "80 %")
        let json = String(decoding: try JSONEncoder().encode(alarm), as: UTF8.self)
        #expect(json.contains(#""kind":"outbox.near-full""#))
        #expect(try JSONDecoder().decode(Alarm.self, from: Data(json.utf8)) == alarm)
    }
}
