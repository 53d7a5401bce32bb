import NazoratCore
import TOMLKit

/// Where each key of a TOML document starts (`line`, `column`, both 1-based).
///
/// TOMLKit reports positions for syntax errors only; for a semantic error (an unknown
/// key, a bad value) this scan of the text finds the key's position. It only needs to
/// find `key =` at the start of a line and `[table]` headers: the document has already
/// been parsed successfully by TOMLKit when it is used.
struct KeyPositions {
    private var positions: [String: (line: Int, column: Int)] = [:]

    init(text: String) {
        var table = ""
        // `[[name]]` tables are numbered from 1, as `name[1]`, `name[2]`, ...
        var arrayCounts: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
            let line = rawLine.dropFirst(indent)
            if line.hasPrefix("[") {
                table = line.drop { $0 == "[" }.prefix { $0 != "]" }.trimmingSpaces()
                if line.hasPrefix("[[") {
                    arrayCounts[table, default: 0] += 1
                    if positions[table] == nil { positions[table] = (index + 1, indent + 1) }
                    table += "[\(arrayCounts[table]!)]"
                }
                let path = table
                if positions[path] == nil { positions[path] = (index + 1, indent + 1) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            var key = line[..<equals].trimmingSpaces()
            if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            guard !key.isEmpty, !key.hasPrefix("#") else { continue }
            let path = table.isEmpty ? key : table + "." + key
            if positions[path] == nil { positions[path] = (index + 1, indent + 1) }
        }
    }

    /// The position of `path` (`key` or `table.key`), or line 1 column 1 when unknown.
    func position(of path: String) -> (line: Int, column: Int) {
        positions[path] ?? (1, 1)
    }
}

/// Reads typed values out of a TOML table and turns every problem into a ``ConfigurationError``.
struct KeyReader {
    let table: TOMLTable
    let positions: KeyPositions
    let file: String
    /// The table's path (`policy`), or empty for the top level.
    var prefix = ""

    private func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func error(at key: String, _ message: String) -> ConfigurationError {
        let position = positions.position(of: path(key))
        return ConfigurationError(file: file, line: position.line, column: position.column,
                                  message: "'\(path(key))' \(message)")
    }

    /// An error about the table itself, at its header.
    func tableError(_ message: String) -> ConfigurationError {
        let position = positions.position(of: prefix)
        return ConfigurationError(file: file, line: position.line, column: position.column, message: "'\(prefix)' \(message)")
    }

    /// A reader for the sub-table `key`, nil when absent; an error when `key` is not a table.
    func table(at key: String) throws(ConfigurationError) -> KeyReader? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw error(at: key, "must be a table ([\(path(key))]), not \(value.type)") }
        return KeyReader(table: sub, positions: positions, file: file, prefix: path(key))
    }

    func check(_ key: String, valid: Bool, _ message: String) throws(ConfigurationError) {
        if !valid { throw error(at: key, message) }
    }

    func rejectUnknownKeys(allowed: [String]) throws(ConfigurationError) {
        for key in table.keys where !allowed.contains(key) {
            let position = positions.position(of: path(key))
            throw ConfigurationError(
                file: file, line: position.line, column: position.column,
                message: "unknown key '\(Quoted.escape(path(key)))'; expected one of: \(allowed.joined(separator: ", "))")
        }
    }

    func string(_ key: String, required: Bool, default fallback: String) throws(ConfigurationError) -> String {
        guard let value = table[key] else {
            if required {
                throw ConfigurationError(file: file, line: 0, column: 0, message: "missing required key '\(key)'")
            }
            return fallback
        }
        guard let string = value.string else { throw error(at: key, "must be a string, not \(value.type)") }
        return string
    }

    func integer(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
        guard let value = table[key] else { return fallback }
        guard let integer = value.int else { throw error(at: key, "must be an integer, not \(value.type)") }
        return integer
    }

    /// A duration in whole seconds: an integer, or a string in systemd's forms (`"15s"`, `"2min"`).
    func seconds(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
        guard let value = table[key] else { return fallback }
        if let integer = value.int { return integer }
        guard let text = value.string else {
            throw error(at: key, "must be a number of seconds or a duration such as \"15s\" or \"2min\", not \(value.type)")
        }
        guard let microseconds = TimeSpan.microseconds(text) else {
            throw error(at: key, "is not a duration: \"\(Quoted.escape(text))\" (write e.g. \"15s\", \"2min\" or \"1min 30s\")")
        }
        guard microseconds % 1_000_000 == 0 else {
            throw error(at: key, "must be whole seconds, not \"\(Quoted.escape(text))\"")
        }
        return Int(microseconds / 1_000_000)
    }

    /// A list of strings, nil when absent.
    func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array, let strings = Optional(array.compactMap(\.string)), strings.count == array.count else {
            throw error(at: key, "must be a list of strings, such as [\"08:*:*\"]")
        }
        return strings
    }

    func optionalPath(_ key: String, relativeTo directory: String) throws(ConfigurationError) -> String? {
        guard table[key] != nil else { return nil }
        return try path(key, default: "", relativeTo: directory)
    }

    func path(_ key: String, default fallback: String, relativeTo directory: String) throws(ConfigurationError) -> String {
        let value = try string(key, required: false, default: fallback)
        try check(key, valid: !value.isEmpty && !value.utf8.contains(0), "must be a non-empty path")
        return value.hasPrefix("/") ? value : directory + "/" + value
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
