import Foundation
import NazoratCore
import NazoratTestbed
import Testing

@Suite struct EventCatalogTests {
    private static let repository = Repository.root

    /// Every event type has a catalog entry (the compiler sees to it: the catalog text is a
    /// switch over EventType), each subject and text is a plain sentence, and no type is
    /// written as a string literal in Sources any more.
    @Test func everyEventTypeHasAnEntryAndNoSourceSpellsOneAsAString() throws {
        #expect(EventCatalog.entries.map(\.type) == EventType.allCases)
        #expect(EventCatalog.entries.allSatisfy { !$0.subject.isEmpty && $0.text.hasSuffix(".") })
        let sources = FileManager.default.enumerator(atPath: Self.repository + "/Sources")!
        let names = Set(EventType.allCases.map(\.rawValue))
        while let path = sources.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.hasSuffix("EventType.swift") else { continue }
            let text = try String(contentsOfFile: Self.repository + "/Sources/" + path, encoding: .utf8)
            for match in text.matches(of: /"([a-z]+\.[a-z-]+)"/) where names.contains(String(match.1)) {
                Issue.record("\(path) spells the event type \(match.1) as a string: use EventType")
            }
        }
    }

    @Test func messageIDsAreUniqueAndStable() {
        let ids = EventCatalog.entries.map { MessageID.forType($0.type.rawValue) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        #expect(MessageID.forType("daemon.started") == "52287822e0b2fa44be27b627da54b532")
    }

    @Test func theInstalledCatalogIsTheGeneratedOne() throws {
        let committed = try String(contentsOfFile: Self.repository + "/systemd/nazorat.catalog", encoding: .utf8)
        #expect(committed == EventCatalog.render(), "run `nazoratd catalog > systemd/nazorat.catalog`")
    }
}
