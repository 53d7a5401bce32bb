/// JSON text with every character a terminal or a reader could be fooled by written as a
/// `\uXXXX` escape: DEL and the C1 controls (U+009B acts as a terminal's CSI), format
/// characters (bidirectional overrides, zero-width joiners), line and paragraph separators,
/// private-use and unassigned code points. JSON encoders escape only U+0000–U+001F; the
/// decoded strings are unchanged, so hashes over them still recompute.
///
/// Only inside strings can such characters occur in JSON text, so escaping them wherever
/// they are is always valid.
public enum JSONInvisibles {
    public static func escape(_ json: [UInt8]) -> [UInt8] {
        // Almost always nothing to do: ASCII and ordinary letters pass untouched.
        guard json.contains(where: { $0 >= 0x7F }) else { return json }
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 16)
        for scalar in String(decoding: json, as: UTF8.self).unicodeScalars {
            guard isInvisible(scalar) else {
                out.append(contentsOf: String(scalar).utf8)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            }
        }
        return out
    }

    /// What a device string's rendering would escape (``DeviceString/escaped(limit:)``); ASCII
    /// below DEL is JSON's own business.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x7F && !DeviceString.isSafe(scalar)
    }
}
