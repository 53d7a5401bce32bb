import FoundationEssentials

/// The `ElectionEventLogDocumentation` document of NIST SP 1500-101 for nazoratd's logs: each
/// event id (the event type) with its catalog text, and each event type (the category) with
/// its description. Generated from the same table as the journal catalog (``EventCatalog``),
/// so the two cannot drift apart.
public enum CDFDocumentation {
    private struct Document: Encodable {
        var type = "EventLogging.ElectionEventLogDocumentation"
        var manufacturer = CDFEventLog.manufacturer
        var model = CDFEventLog.model
        var version: String
        var generatedDate: String
        var ids: [IdDescription]
        var categories: [TypeDescription]

        enum CodingKeys: String, CodingKey {
            case type = "@type", manufacturer = "DeviceManufacturer", model = "DeviceModel", version = "DeviceVersion"
            case generatedDate = "GeneratedDate", ids = "EventIdDescription", categories = "EventTypeDescription"
        }
    }

    private struct IdDescription: Encodable {
        var type = "EventLogging.EventIdDescription"
        var id: String
        var description: String

        enum CodingKeys: String, CodingKey { case type = "@type", id = "Id", description = "Description" }
    }

    private struct TypeDescription: Encodable {
        var type = "EventLogging.EventTypeDescription"
        var category: String
        var description: String

        enum CodingKeys: String, CodingKey { case type = "@type", category = "Type", description = "Description" }
    }

    /// The documentation of nazoratd `version`, dated `generatedMicroseconds` (UTC).
    public static func render(version: String, generatedMicroseconds: Int64) -> [UInt8] {
        let document = Document(
            version: version, generatedDate: UTCTime.date(microseconds: generatedMicroseconds),
            ids: EventCatalog.entries.map { IdDescription(id: $0.type.rawValue, description: $0.subject + ". " + $0.text) },
            categories: EventCategory.allCases.map { TypeDescription(category: $0.rawValue, description: $0.description) }
                + [TypeDescription(category: "other", description: "An event type recorded by a later version of "
                                       + "nazoratd than the one that exported the log.")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return ((try? Array(encoder.encode(document))) ?? []) + [0x0A]
    }
}
