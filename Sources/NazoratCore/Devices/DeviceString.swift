/// A string that came from a USB device (manufacturer, product, serial).
///
/// The bytes are attacker-controlled: their encoding, length and content are
/// never trusted. They are kept exactly as read, so that hashes and evidence
/// stay faithful, and every rendering for a person or a log goes through
/// ``escaped(limit:)``.
public struct DeviceString: Sendable, Hashable, CustomStringConvertible {
    /// The bytes as the device reported them (after the kernel's trailing newline is trimmed).
    public let bytes: [UInt8]

    /// The default number of input bytes a rendering shows before it is cut.
    public static let defaultRenderLimit = 128

    /// Creates a device string from raw bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Creates a device string from the UTF-8 bytes of `text` (for tests and fixtures).
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// A safe rendering with at most ``defaultRenderLimit`` input bytes.
    public var description: String { escaped() }

    /// Renders the bytes so that no terminal, log or JSON consumer can be fooled.
    ///
    /// - Printable ASCII passes, except `\` and `"`, which are escaped.
    /// - Tab, newline and carriage return become `\t`, `\n`, `\r`.
    /// - Other control bytes and every byte that is not part of valid UTF-8 become `\xHH`.
    /// - Valid non-ASCII characters pass unless they are controls, format characters
    ///   (bidirectional overrides, zero-width joiners), separators, private-use or
    ///   unassigned code points; those become `\u{XXXX}`.
    /// - At most `limit` input bytes are rendered; the rest is summarised as `…(+N bytes)`.
    public func escaped(limit: Int = DeviceString.defaultRenderLimit) -> String {
        var out = ""
        out.reserveCapacity(min(bytes.count, limit) + 8)
        var index = 0
        while index < bytes.count, index < limit {
            let byte = bytes[index]
            if byte < 0x80 {
                Self.appendASCII(byte, to: &out)
                index += 1
                continue
            }
            if let (scalar, length) = Self.decodeScalar(bytes, at: index) {
                // A character is shown whole or not at all.
                guard index + length <= limit else { break }
                if Self.isSafe(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
                index += length
            } else {
                out += Self.hexEscape(byte)
                index += 1
            }
        }
        if index < bytes.count {
            out += "…(+\(bytes.count - index) bytes)"
        }
        return out
    }

    private static func appendASCII(_ byte: UInt8, to out: inout String) {
        switch byte {
        case UInt8(ascii: "\\"): out += "\\\\"
        case UInt8(ascii: "\""): out += "\\\""
        case UInt8(ascii: "\t"): out += "\\t"
        case UInt8(ascii: "\n"): out += "\\n"
        case UInt8(ascii: "\r"): out += "\\r"
        case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
        default: out += hexEscape(byte)
        }
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// Decodes one well-formed UTF-8 sequence (no overlongs, no surrogates) starting at `index`.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// Whether a non-ASCII scalar may be shown as it is (``JSONInvisibles`` uses the same judgement).
    public static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return false
        default:
            return true
        }
    }
}
