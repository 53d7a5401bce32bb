import Glibc
import Logging
import NazoratCore

/// A swift-log handler for stderr when there is no journal (`make run`, `make demo`, a
/// terminal): lines for people, or with `--log-format json` one JSON object per line for
/// machines.
///
/// A line for people leads with the local time, the level and the message; the seq and
/// the device's port follow in brackets when there are (the port only when the message
/// does not name it already). Hashes, MESSAGE_IDs and the other fields stay in the journal
/// and in the JSON lines, where tools read them.
public struct ConsoleLogHandler: LogHandler {
    /// How lines are written.
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let format: Format
    private let label: String

    /// A handler writing `format` to stderr; `label` names the logger in JSON lines.
    public init(label: String, format: Format = .text) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }.mapValues(\.description)
        let line = switch format {
        case .text: Self.text(event.message.description, level: event.level, fields: fields, time: Self.localTime())
        case .json: Self.json(event.message.description, level: event.level, fields: fields, label: label)
        }
        StandardStream.error.write(line + "\n")
    }

    /// `12:04:03.123 warning  policy: 1-3 0781:5567 (storage) blocked by rule at line 1 [seq 12]`
    static func text(_ message: String, level: Logger.Level, fields: [String: String], time: String) -> String {
        var notes: [String] = []
        if let port = fields["NAZORAT_DEVICE_PORT"] ?? fields["NAZORAT_SUBJECT"], !message.contains(port),
           port.first?.isNumber == true {
            notes.append(port)
        }
        if let seq = fields["NAZORAT_SEQ"] { notes.append("seq " + seq) }
        let padded = level.rawValue + String(repeating: " ", count: max(1, 9 - level.rawValue.count))
        return time + " " + padded + message + (notes.isEmpty ? "" : " [" + notes.joined(separator: ", ") + "]")
    }

    /// Every field, the message, the level and the UTC time (RFC 3339) as one JSON object.
    static func json(_ message: String, level: Logger.Level, fields: [String: String], label: String) -> String {
        var object = fields
        object["message"] = message
        object["level"] = level.rawValue
        object["logger"] = label
        object["time"] = utcTime()
        return JSONText.encode(object)
    }

    private static func localTime() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        localtime_r(&now.tv_sec, &parts)
        return format2(parts.tm_hour) + ":" + format2(parts.tm_min) + ":" + format2(parts.tm_sec) + "."
            + String(String(now.tv_nsec / 1_000_000 + 1000).dropFirst())
    }

    private static func utcTime() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        gmtime_r(&now.tv_sec, &parts)
        return "\(parts.tm_year + 1900)-" + format2(parts.tm_mon + 1) + "-" + format2(parts.tm_mday) + "T"
            + format2(parts.tm_hour) + ":" + format2(parts.tm_min) + ":" + format2(parts.tm_sec) + "."
            + String(String(now.tv_nsec / 1_000_000 + 1000).dropFirst()) + "Z"
    }

    private static func format2(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
