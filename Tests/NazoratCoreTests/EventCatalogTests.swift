import Foundation
import NazoratCore
import Testing

@Suite struct EventCatalogTests {
    private static let repository = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")

    /// Every `type: "..."` written anywhere in Sources has a catalog entry.
    @Test func everyEventTypeInTheSourcesHasAnEntry() throws {
        let sources = FileManager.default.enumerator(atPath: Self.repository + "/Sources")!
        var types: Set<String> = []
        while let path = sources.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            let text = try String(contentsOfFile: Self.repository + "/Sources/" + path, encoding: .utf8)
            for match in text.matches(of: /EventDraft\(\s*type: "([a-z.-]+)"|\btype: "([a-z]+\.[a-z.-]+)", severity/) {
                types.insert(String(match.1 ?? match.2!))
            }
        }
        #expect(types.count >= 20)
        let catalogued = Set(EventCatalog.entries.map(\.type))
        #expect(types.subtracting(catalogued).isEmpty, "no catalog entry for \(types.subtracting(catalogued).sorted())")
    }

    @Test func messageIDsAreUniqueAndStable() {
        let ids = EventCatalog.entries.map { MessageID.forType($0.type) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        #expect(MessageID.forType("daemon.started") == "52287822e0b2fa44be27b627da54b532")
    }

    @Test func theInstalledCatalogIsTheGeneratedOne() throws {
        let committed = try String(contentsOfFile: Self.repository + "/systemd/nazorat.catalog", encoding: .utf8)
        #expect(committed == EventCatalog.render(), "run `nazoratd catalog > systemd/nazorat.catalog`")
    }
}
