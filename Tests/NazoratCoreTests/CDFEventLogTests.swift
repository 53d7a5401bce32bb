import Foundation
import NazoratCore
import Testing

/// RFC 3339 times without Foundation, and the election event log written in pieces.
@Suite struct CDFEventLogTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (1_764_633_600_123_456, "2025-12-02T00:00:00.123456Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
        (4_107_542_399_999_999, "2100-02-28T23:59:59.999999Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (253_402_300_799_000_000, "9999-12-31T23:59:59.000000Z"),
    ])
    func utcTimesKeepEveryMicrosecond(microseconds: Int64, text: String) {
        #expect(UTCTime.rfc3339(microseconds: microseconds) == text)
        #expect(UTCTime.date(microseconds: microseconds) == String(text.prefix(10)))
    }

    @Test func datesAgreeWithFoundationsCalendarForEightCenturies() {
        // Foundation as the independent reference, every 997th day from 1584 (after the Julian calendar) to 9999.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for day in stride(from: Int64(-141_000), through: 2_932_000, by: 997) {
            let seconds = day * 86_400 + 45_296
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(UTCTime.rfc3339(microseconds: seconds * 1_000_000) == expected + ".000000Z", "day \(day)")
        }
    }

    private func event(_ seq: Int64, message: String) -> Event {
        let draft = EventDraft(type: .deviceAdded, severity: .notice, subject: "1-3", message: message,
                               payload: #"{"n":1}"#, time: EventTime(realtimeUSec: 1_000_000, monotonicUSec: 5, bootID: "b"))
        return HashChain.append(draft, after: seq == 1 ? nil : (seq - 1, String(repeating: "0", count: 64)), station: "S-1")
    }

    @Test func thePiecesMakeOneDocumentWithTheStationAsItsDevice() throws {
        var log = CDFEventLog(station: .init(id: "S-1", softwareVersion: "9.9"), generatedMicroseconds: 0)
        let bytes = log.opening() + log.event(event(1, message: "a \"quoted\" \\ line")) + log.event(event(2, message: "b"))
            + CDFEventLog.closing
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(document["@type"] as? String == "EventLogging.ElectionEventLog")
        #expect(document["GeneratedTime"] as? String == "1970-01-01T00:00:00.000000Z")
        let device = try #require((document["Device"] as? [[String: Any]])?.first)
        #expect(device["Id"] as? String == "S-1" && device["Version"] as? String == "9.9" && device["HashType"] as? String == "sha-256")
        let events = try #require(device["Event"] as? [[String: Any]])
        #expect(events.map { $0["Sequence"] as? String } == ["1", "2"])
        #expect(events[0]["Description"] as? String == "a \"quoted\" \\ line")
        #expect(events[0]["Type"] as? String == "device-change" && events[0]["Disposition"] as? String == "na")
        let details = try JSONDecoder().decode(CDFEventLog.ChainDetails.self, from: Data((events[0]["Details"] as! String).utf8))
        #expect(details == .init(payload: #"{"n":1}"#, subject: "1-3", bootId: "b", monotonicUSec: "5",
                                 prevHash: HashChain.genesis(station: "S-1")))
    }

    @Test func invisibleCharactersAreEscapesInTheDocumentAndComeBackWhenDecoded() throws {
        // Text recorded without escaping (a person's note): DEL, a C1 CSI, a bidi override,
        // a line separator, a private-use character; JSON encoders leave all of them raw.
        let raw = "a\u{7F}b\u{9B}2J\u{202E}c\u{2028}d\u{E000}e\u{1F600}"
        var log = CDFEventLog(station: .init(id: "S-1", softwareVersion: "9.9"), generatedMicroseconds: 0)
        let bytes = log.event(event(1, message: raw))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.unicodeScalars.contains { $0.value >= 0x7F && $0.value <= 0x9F || [0x202E, 0x2028, 0xE000].contains($0.value) })
        #expect(text.contains(#"\u009B"#) && text.contains(#"\u202E"#) && text.contains("\u{1F600}"), "emoji stay as they are")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(decoded["Description"] as? String == raw, "the decoded text is the recorded text: the hash still recomputes")
    }

    @Test func anEmptyLogIsAnEmptyEventList() throws {
        let log = CDFEventLog(station: .init(id: "S-1", softwareVersion: "9.9"), generatedMicroseconds: 0)
        let document = try JSONSerialization.jsonObject(with: Data(log.opening() + CDFEventLog.closing)) as? [String: Any]
        #expect(((document?["Device"] as? [[String: Any]])?.first?["Event"] as? [Any])?.isEmpty == true)
    }
}
