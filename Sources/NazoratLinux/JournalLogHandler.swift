import CSystemd
import Glibc
import Logging

/// A swift-log handler that writes structured entries to the systemd journal with
/// `sd_journal_sendv` (the variadic `sd_journal_send` cannot be called from Swift).
///
/// Every entry has MESSAGE, PRIORITY (syslog, from the level), SYSLOG_IDENTIFIER,
/// CODE_FILE, CODE_LINE and CODE_FUNC. Metadata become fields: a key that is already a
/// journal field name (upper case, digits, `_`, not starting with `_`) is used as it is
/// (`MESSAGE_ID`, `NAZORAT_SEQ`); any other key is upper-cased, other characters become `_`,
/// and it gets the `NAZORAT_` prefix (journald silently drops names with lower case or `-`).
/// Values are passed as bytes. When the journal cannot be reached (no journald), the
/// entry is written to stderr as one readable line instead.
public struct JournalLogHandler: LogHandler {
    /// Handler-level metadata.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    private let identifier: String
    private let fallback: ConsoleLogHandler

    /// A handler whose entries carry `SYSLOG_IDENTIFIER=identifier`.
    public init(identifier: String, label: String) {
        self.identifier = identifier
        self.fallback = ConsoleLogHandler(label: label)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("MESSAGE", event.message.description),
            ("PRIORITY", String(Self.priority(event.level))),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", event.file), ("CODE_LINE", String(event.line)), ("CODE_FUNC", event.function),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields.append((Self.fieldName(key), value.description))
        }
        if !Self.send(fields) {
            var copy = fallback
            copy.logLevel = logLevel
            copy.metadata = metadata
            copy.log(event: event)
        }
    }

    /// syslog priorities: 2 critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A name journald keeps: `[A-Z0-9_]`, not starting with `_` or a digit, at most 64 bytes.
    static func fieldName(_ key: String) -> String {
        let valid = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
            && key.first != "_" && !(key.first?.isNumber ?? false)
        if valid { return String(key.prefix(64)) }
        let cleaned = String(key.uppercased().map { ($0.isLetter && $0.isASCII) || ($0.isNumber && $0.isASCII) ? $0 : "_" })
        return String(("NAZORAT_" + cleaned).prefix(64))
    }

    /// Sends one entry; false when the journal is unreachable.
    private static func send(_ fields: [(String, String)]) -> Bool {
        let buffers = fields.map { Array(($0.0 + "=").utf8) + Array($0.1.utf8) }
        // One block holds every field, so that the iovecs stay valid for the call.
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, buffers.reduce(0) { $0 + $1.count }),
                                                          alignment: 1)
        defer { block.deallocate() }
        var vectors: [iovec] = []
        var offset = 0
        for buffer in buffers {
            let start = block.baseAddress! + offset
            buffer.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            vectors.append(iovec(iov_base: start, iov_len: buffer.count))
            offset += buffer.count
        }
        return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) } >= 0
    }
}
