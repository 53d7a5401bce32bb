import NazoratCore

/// Reads typed values out of a TOML table and turns every problem into a ``ConfigurationError``.
struct KeyReader {
    let table: TOMLTable
    let file: String
    /// The table's path (`policy`), or empty for the top level.
    var prefix = ""

    private func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    /// The value of `key`, nil when absent.
    func value(_ key: String) -> TOMLValue? { table[key]?.value }

    /// An error about `key`, at the key (at the table's header when the key is absent).
    func error(at key: String, _ message: String) -> ConfigurationError {
        let position = table[key]?.keyPosition ?? table.position
        return ConfigurationError(file: file, line: position.line, column: position.column,
                                  message: "'\(path(key))' \(message)")
    }

    /// An error about the table itself, at its header.
    func tableError(_ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: table.position.line, column: table.position.column,
                           message: "'\(prefix)' \(message)")
    }

    /// A reader for the sub-table `key`, nil when absent; an error when `key` is not a table.
    func table(at key: String) throws(ConfigurationError) -> KeyReader? {
        guard let value = value(key) else { return nil }
        guard let sub = value.table else { throw error(at: key, "must be a table ([\(path(key))]), not \(value.typeName)") }
        return KeyReader(table: sub, file: file, prefix: path(key))
    }

    func check(_ key: String, valid: Bool, _ message: String) throws(ConfigurationError) {
        if !valid { throw error(at: key, message) }
    }

    func rejectUnknownKeys(allowed: [String]) throws(ConfigurationError) {
        for key in table.keys where !allowed.contains(key) {
            let position = table[key]!.keyPosition
            throw ConfigurationError(
                file: file, line: position.line, column: position.column,
                message: "unknown key '\(Quoted.escape(path(key)))'; expected one of: \(allowed.joined(separator: ", "))")
        }
    }

    func string(_ key: String, required: Bool, default fallback: String) throws(ConfigurationError) -> String {
        guard let value = value(key) else {
            if required {
                throw ConfigurationError(file: file, line: 0, column: 0, message: "missing required key '\(key)'")
            }
            return fallback
        }
        guard let string = value.string else { throw error(at: key, "must be a string, not \(value.typeName)") }
        return string
    }

    func integer(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
        guard let value = value(key) else { return fallback }
        guard let integer = value.integer else { throw error(at: key, "must be an integer, not \(value.typeName)") }
        return integer
    }

    /// A duration in whole seconds: an integer, or a string in systemd's forms (`"15s"`, `"2min"`).
    func seconds(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
        guard let value = value(key) else { return fallback }
        if let integer = value.integer { return integer }
        guard let text = value.string else {
            throw error(at: key, "must be a number of seconds or a duration such as \"15s\" or \"2min\", not \(value.typeName)")
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
        guard let value = value(key) else { return nil }
        guard let array = value.array, let strings = Optional(array.compactMap(\.string)), strings.count == array.count else {
            throw error(at: key, "must be a list of strings, such as [\"08:*:*\"]")
        }
        return strings
    }

    func optionalPath(_ key: String, relativeTo directory: String) throws(ConfigurationError) -> String? {
        guard value(key) != nil else { return nil }
        return try path(key, default: "", relativeTo: directory)
    }

    func path(_ key: String, default fallback: String, relativeTo directory: String) throws(ConfigurationError) -> String {
        let value = try string(key, required: false, default: fallback)
        try check(key, valid: !value.isEmpty && !value.utf8.contains(0), "must be a non-empty path")
        return value.hasPrefix("/") ? value : directory + "/" + value
    }
}
