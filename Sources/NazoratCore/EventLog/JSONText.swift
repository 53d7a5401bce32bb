import FoundationEssentials

/// The JSON form of event payloads: compact, sorted keys, so that the same content
/// always gives the same bytes (payloads are hashed into the chain).
public enum JSONText {
    /// Encodes `value`; a value that cannot be encoded (never the case for our payload
    /// types) becomes `{"unencodable":"<type>"}` rather than losing the event.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return #"{"unencodable":"\#(T.self)"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
