import FoundationEssentials
import NazoratCore

/// The national list of polling stations, as the election authority hands it over: a CSV
/// file (RFC 4180: commas, double quotes around fields that hold commas, quotes or line
/// breaks, "" for a quote; LF or CRLF; an optional UTF-8 BOM) whose header names the columns
/// `station`, `region`, `district`, `name` and `public_key`, in any order.
///
/// The file is read whole before anything is enrolled: every bad line is reported with its
/// number and what is wrong, and one bad line refuses the file (`nazorat-central enroll --csv`).
public struct RegistryFile: Sendable {
    /// One station of the list.
    public struct Entry: Sendable, Equatable {
        public var station: String
        public var region: String
        public var district: String
        /// Its name or address, for people.
        public var name: String
        /// Its Ed25519 public key, base64 of 32 bytes (as `nazoratd key` prints it).
        public var publicKey: String
        /// The line it starts on.
        public var line: Int
    }

    /// What is wrong with one line.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Every problem of a file, in line order.
    public struct Problems: Error, Sendable, Equatable {
        public var list: [Problem]
    }

    public static let columns = ["station", "region", "district", "name", "public_key"]

    public let entries: [Entry]

    /// The list in `bytes`, or every problem found in it.
    public static func parse(_ bytes: [UInt8]) -> Result<RegistryFile, Problems> {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            let line = 1 + body.prefix(firstInvalidUTF8(body)).count { $0 == UInt8(ascii: "\n") }
            return .failure(Problems(list: [Problem(line: line, message: "the file is not UTF-8 text; save it as UTF-8 CSV")]))
        }
        var records: [(line: Int, fields: [String])] = []
        switch CSVRecords.split(text) {
        case .success(let split): records = split
        case .failure(let problem): return .failure(Problems(list: [problem]))
        }
        guard let header = records.first else {
            return .failure(Problems(list: [Problem(line: 1, message: "the file is empty; the first line names the columns "
                                     + columns.joined(separator: ","))]))
        }
        let names = header.fields.map { $0.trimmingASCIISpaces.lowercased() }
        let missing = columns.filter { !names.contains($0) }
        let unknown = names.filter { !columns.contains($0) }
        guard missing.isEmpty, unknown.isEmpty, Set(names).count == names.count else {
            return .failure(Problems(list: [Problem(line: header.line, message: "the header must name the columns "
                + columns.joined(separator: ",") + " once each" + (missing.isEmpty ? "" : "; missing: " + missing.joined(separator: ","))
                + (unknown.isEmpty ? "" : "; unknown: " + unknown.map { DeviceString($0).escaped(limit: 40) }.joined(separator: ",")))]))
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var entries: [Entry] = [], problems: [Problem] = []
        var stations: [String: Int] = [:], keys: [String: Int] = [:]
        // Blank lines, and lines of blank fields (`,,,,`: a spreadsheet's empty rows), are skipped.
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingASCIISpaces.isEmpty }) {
            guard record.fields.count == names.count else {
                problems.append(Problem(line: record.line, message: "\(record.fields.count) fields where the header has "
                                        + "\(names.count) (a comma in a name needs the name in double quotes)"))
                continue
            }
            let field = { (name: String) in record.fields[index[name]!].trimmingASCIISpaces }
            let entry = Entry(station: field("station"), region: field("region"), district: field("district"),
                              name: field("name"), publicKey: RegistryRules.canonicalKey(field("public_key")), line: record.line)
            if let message = RegistryRules.problem(with: entry) {
                problems.append(Problem(line: record.line, message: message))
                continue
            }
            if let first = stations[entry.station] {
                problems.append(Problem(line: record.line, message: "station \(entry.station) is already on line \(first)"))
                continue
            }
            if let first = keys[entry.publicKey] {
                problems.append(Problem(line: record.line, message: "the public key of \(entry.station) is the key "
                                        + "on line \(first): each station has a key of its own"))
                continue
            }
            stations[entry.station] = record.line
            keys[entry.publicKey] = record.line
            entries.append(entry)
        }
        if entries.isEmpty, problems.isEmpty {
            problems.append(Problem(line: header.line, message: "the file lists no station"))
        }
        return problems.isEmpty ? .success(RegistryFile(entries: entries)) : .failure(Problems(list: problems))
    }

    /// The offset of the first byte that is not part of valid UTF-8.
    private static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser(), iterator = bytes.makeIterator(), offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) { offset += scalar.count }
        return offset
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (a spreadsheet's padding).
    var trimmingASCIISpaces: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}
