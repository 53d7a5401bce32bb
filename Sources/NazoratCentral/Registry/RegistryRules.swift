import FoundationEssentials
import NazoratCore

/// What a registry entry must be: ids an operator can type and a URL can carry, names
/// without control characters, a key that is one.
enum RegistryRules {
    static let stationLimit = 64
    static let placeLimit = 128
    static let nameLimit = 256

    /// Why `entry` cannot be enrolled, if it cannot.
    static func problem(with entry: RegistryFile.Entry) -> String? {
        if let problem = stationProblem(entry.station) { return problem }
        for (column, value) in [("region", entry.region), ("district", entry.district)] {
            if value.isEmpty { return "\(entry.station) has no \(column)" }
            if let problem = textProblem(value, column: column, limit: placeLimit) { return "\(entry.station): \(problem)" }
        }
        if let problem = textProblem(entry.name, column: "name", limit: nameLimit) { return "\(entry.station): \(problem)" }
        return keyProblem(entry.publicKey).map { "\(entry.station): \($0)" }
    }

    /// Letters, digits, `-`, `_` and `.`, 1 to 64 of them, the first a letter or a digit (so
    /// that `..` is no path and `-x` no option).
    static func stationProblem(_ station: String) -> String? {
        if station.isEmpty { return "the station id is empty" }
        let alphanumeric: (Unicode.Scalar) -> Bool = {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }
        let allowed = station.unicodeScalars.allSatisfy { alphanumeric($0) || "-_.".unicodeScalars.contains($0) }
        guard allowed, alphanumeric(station.unicodeScalars.first!), station.unicodeScalars.count <= stationLimit else {
            return "the station id \"\(DeviceString(station).escaped(limit: 80))\" must be 1 to \(stationLimit) letters, "
                + "digits, '-', '_' or '.', starting with a letter or a digit"
        }
        return nil
    }

    /// `key` in the one form central keeps: its 32 bytes in standard base64.
    static func canonicalKey(_ key: String) -> String {
        Data(base64Encoded: key).map { $0.base64EncodedString() } ?? key
    }

    static func keyProblem(_ key: String) -> String? {
        guard let bytes = Data(base64Encoded: key), bytes.count == 32 else {
            return "the public key is not base64 of 32 bytes (nazoratd key prints it)"
        }
        return nil
    }

    private static func textProblem(_ value: String, column: String, limit: Int) -> String? {
        if value.unicodeScalars.count > limit { return "the \(column) is longer than \(limit) characters" }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || !DeviceString.isSafe($0) && $0.value >= 0x80 }) {
            return "the \(column) \"\(DeviceString(value).escaped(limit: 80))\" holds control or invisible characters"
        }
        return nil
    }
}
