import Crypto

/// The hash chain of the event log.
///
/// `hash = SHA-256(prev_hash || canonical bytes)`, where the canonical bytes of an event
/// are, each field as a 4-byte big-endian length followed by its UTF-8 bytes: the format
/// tag `nazorat-event-v1`, seq (decimal), realtime and monotonic microseconds (decimal),
/// boot id, type, severity, subject, message, payload. Length prefixes make the encoding
/// unambiguous whatever the fields contain. The genesis `prev_hash` is
/// `SHA-256("nazorat-genesis-v1" || station id)`, so a log cannot be passed off as
/// another station's.
public enum HashChain {
    /// The `prev_hash` of seq 1 for `station`.
    public static func genesis(station: String) -> String {
        Hex.string(SHA256.hash(data: Array("nazorat-genesis-v1".utf8) + Array(station.utf8)))
    }

    /// The canonical bytes of an event at `seq`.
    public static func canonicalBytes(seq: Int64, draft: EventDraft) -> [UInt8] {
        lengthPrefixed([
            "nazorat-event-v1", String(seq), String(draft.time.realtimeUSec), String(draft.time.monotonicUSec),
            draft.time.bootID, draft.type, draft.severity.rawValue, draft.subject, draft.message, draft.payload,
        ])
    }

    /// Each field as a 4-byte big-endian length and its UTF-8 bytes.
    public static func lengthPrefixed(_ fields: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in fields {
            let utf8 = Array(field.utf8)
            let length = UInt32(utf8.count)
            bytes += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            bytes += utf8
        }
        return bytes
    }

    /// The hash of `draft` at `seq` after `prevHash`; `nil` when `prevHash` is not 64 hex digits.
    public static func hash(seq: Int64, draft: EventDraft, prevHash: String) -> String? {
        guard let previous = Hex.bytes(prevHash), previous.count == 32 else { return nil }
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonicalBytes(seq: seq, draft: draft))
        return Hex.string(hasher.finalize())
    }

    /// Chains `draft` after `head` (seq and hash of the last event, or nil for an empty log).
    public static func append(_ draft: EventDraft, after head: (seq: Int64, hash: String)?, station: String) -> Event {
        let seq = (head?.seq ?? 0) + 1
        let prevHash = head?.hash ?? genesis(station: station)
        return Event(seq: seq, draft: draft, prevHash: prevHash, hash: hash(seq: seq, draft: draft, prevHash: prevHash)!)
    }
}

extension Hex {
    /// Lower-case hex of any bytes.
    public static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // One buffer, not a string per byte: every event hashed (at each append, and a
        // million times in a verification of a year-long log) ends here.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            digits.append(hexDigits[Int(byte >> 4)])
            digits.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: digits, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The bytes of a hex string, or `nil` if it is not hex.
    public static func bytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
