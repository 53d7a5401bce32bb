import FoundationEssentials

/// The event log as an `ElectionEventLog` document of NIST SP 1500-101 (the election event
/// logging common data format, JSON), written piece by piece so that a year-long log is
/// exported with memory that does not grow with it: ``opening()``, then ``event(_:)`` for
/// each event in seq order, then ``closing``. docs/cdf-export.md maps every field.
///
/// The station is the one `Device`; each event is an `Event` whose `Hash` is the chain hash.
/// The format has no fields for the other inputs of that hash (subject, boot id, monotonic
/// time, previous hash), so `Details` holds them beside the payload, and anyone holding the
/// document can recompute the chain without nazorat (Tests/Support/cdf-check.py does).
public struct CDFEventLog: Sendable {
    /// Who wrote the log: the station and the software.
    public struct Station: Sendable {
        public var id: String
        public var softwareVersion: String

        public init(id: String, softwareVersion: String) {
            self.id = id
            self.softwareVersion = softwareVersion
        }
    }

    private let station: Station
    private let generatedMicroseconds: Int64
    private var written = 0

    /// A document for `station`, generated at `generatedMicroseconds` (since the epoch).
    public init(station: Station, generatedMicroseconds: Int64) {
        self.station = station
        self.generatedMicroseconds = generatedMicroseconds
    }

    /// The maker and model the documentation (`nazoratd catalog --format cdf`) names too.
    public static let manufacturer = "Nazorat"
    public static let model = "nazoratd"

    private struct DeviceFields: Encodable {
        var type = "EventLogging.Device"
        var id: String
        var deviceType = "other"
        var otherType = "polling-station equipment supervision"
        var manufacturer = CDFEventLog.manufacturer
        var model = CDFEventLog.model
        var version: String
        var hashType = "sha-256"
        var details = "Hash: the event log's chain (nazorat-event-v1): SHA-256 of the previous event's Hash as its 32 "
            + "bytes (hex-decoded, no length), then the event's fields, each as a 4-byte big-endian length and its "
            + "UTF-8 bytes: nazorat-event-v1, Sequence, "
            + "TimeStamp in microseconds, Details.monotonicUSec, Details.bootId, Id, Severity, Details.subject, "
            + "Description, Details.payload. The first event's previous hash is SHA-256 of nazorat-genesis-v1 "
            + "and the device Id. docs/cdf-export.md."

        enum CodingKeys: String, CodingKey {
            case type = "@type", id = "Id", deviceType = "Type", otherType = "OtherType", manufacturer = "Manufacturer"
            case model = "Model", version = "Version", hashType = "HashType", details = "Details"
        }
    }

    /// The document up to the first event.
    public func opening() -> [UInt8] {
        let device = Self.encode(DeviceFields(id: station.id, version: station.softwareVersion))
        let log = #"{"@type":"EventLogging.ElectionEventLog","GeneratedTime":""#
            + UTCTime.rfc3339(microseconds: generatedMicroseconds) + #"","Device":["#
        // The device object stays open: its events follow, as its last member.
        return Array(log.utf8) + device.dropLast() + Array(#","Event":["#.utf8)
    }

    /// One event, with the separator it needs.
    public mutating func event(_ event: Event) -> [UInt8] {
        defer { written += 1 }
        return (written == 0 ? [] : [UInt8(ascii: ",")]) + Self.encode(Self.fields(event))
    }

    /// The end of the document (a client that did not receive it has a document cut short).
    public static let closing = Array("]}]}\n".utf8)


    /// The inputs of the chain hash that have no field of their own in the format.
    public struct ChainDetails: Codable, Sendable, Equatable {
        public var payload: String
        public var subject: String
        public var bootId: String
        public var monotonicUSec: String
        public var prevHash: String

        public init(payload: String, subject: String, bootId: String, monotonicUSec: String, prevHash: String) {
            self.payload = payload
            self.subject = subject
            self.bootId = bootId
            self.monotonicUSec = monotonicUSec
            self.prevHash = prevHash
        }
    }

    private struct EventFields: Encodable {
        var type = "EventLogging.Event"
        var id: String
        var sequence: String
        var timeStamp: String
        var category: String
        var disposition: String
        var otherDisposition: String?
        var severity: String
        var description: String
        var details: String
        var hash: String

        enum CodingKeys: String, CodingKey {
            case type = "@type", id = "Id", sequence = "Sequence", timeStamp = "TimeStamp", category = "Type"
            case disposition = "Disposition", otherDisposition = "OtherDisposition", severity = "Severity"
            case description = "Description", details = "Details", hash = "Hash"
        }
    }

    private static func fields(_ event: Event) -> EventFields {
        let draft = event.draft
        let details = ChainDetails(payload: draft.payload, subject: draft.subject, bootId: draft.time.bootID,
                                   monotonicUSec: String(draft.time.monotonicUSec), prevHash: event.prevHash)
        let known = draft.eventType
        return EventFields(
            id: draft.type, sequence: String(event.seq), timeStamp: UTCTime.rfc3339(microseconds: draft.time.realtimeUSec),
            category: known?.category.rawValue ?? "other",
            disposition: known?.disposition.rawValue ?? "other",
            otherDisposition: known == nil ? "an event type this version of nazoratd does not know" : nil,
            severity: draft.severity.rawValue, description: draft.message,
            details: String(decoding: encode(details), as: UTF8.self), hash: event.hash)
    }

    private static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only strings and optionals: encoding cannot fail. Most strings were escaped when they
        // were recorded; a note or a request path a person typed may not have been.
        return JSONInvisibles.escape((try? Array(encoder.encode(value))) ?? Array("{}".utf8))
    }
}
