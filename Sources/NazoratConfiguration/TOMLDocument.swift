/// A 1-based line and column in the configuration text; columns count Unicode scalars, as
/// an editor's cursor does, so that `file:line:column` lands on the offending character.
struct TOMLPosition: Sendable, Equatable {
    var line: Int
    var column: Int
}

/// A value of the document and where it starts: errors about a value name its place in the
/// file without scanning the text again.
struct TOMLValue: Sendable, Equatable {
    /// The TOML types nazorat.toml uses; ``TOMLReader`` refuses the others.
    enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    var kind: Kind
    /// The value's first character; a table's is its header's `[`.
    var position: TOMLPosition

    var string: String? { if case .string(let string) = kind { string } else { nil } }
    var integer: Int? { if case .integer(let integer) = kind { integer } else { nil } }
    var array: [TOMLValue]? { if case .array(let array) = kind { array } else { nil } }
    var table: TOMLTable? { if case .table(let table) = kind { table } else { nil } }

    /// The type as TOML names it, for messages such as "must be a string, not integer".
    var typeName: String {
        switch kind {
        case .string: "string"
        case .integer: "integer"
        case .boolean: "boolean"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A table: its keys in file order, each with the position of the key itself, which is where
/// an error about the key or its value points.
struct TOMLTable: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var keyPosition: TOMLPosition
        var value: TOMLValue
    }

    /// Where the table starts: its header's `[`, or 1:1 for the document's top level.
    var position: TOMLPosition
    /// The keys in the order they were written (the first unknown one is the one reported).
    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(position: TOMLPosition) {
        self.position = position
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// Adds `key`, or replaces its entry (the builder fills in a table it announced at its header).
    mutating func set(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { keys.append(key) }
    }
}

/// Assembles the document from header and key/value lines, and refuses what TOML refuses: a
/// key or a table defined twice, and `[[name]]` for a name that is already something else.
///
/// The table under the last header is filled apart and set into the top level when the next
/// header (or the end) closes it, so that no line copies a table already built: a large
/// hostile file costs linear time.
struct TOMLTableBuilder {
    /// The table after the last header: its key at the top level, its name in messages
    /// (`policy`, `interfaces[2]`), and whether it is an element of `[[key]]`.
    private struct OpenTable {
        var key: String
        var name: String
        var isArrayElement: Bool
        var table: TOMLTable
    }

    let file: String
    private var root = TOMLTable(position: TOMLPosition(line: 1, column: 1))
    private var open: OpenTable?
    /// The closed elements of each `[[key]]`, set into the top level by ``finish()``.
    private var arrays: [String: [TOMLValue]] = [:]

    init(file: String) {
        self.file = file
    }

    mutating func openTable(_ key: String, at position: TOMLPosition, isArray: Bool) throws(ConfigurationError) {
        closeOpenTable()
        if let existing = root[key], !(isArray && arrays[key] != nil) {
            throw duplicate(Quoted.escape(key), at: position, first: existing.keyPosition)
        }
        let table = TOMLTable(position: position)
        if root[key] == nil {
            let placeholder = TOMLValue(kind: isArray ? .array([]) : .table(table), position: position)
            root.set(key, TOMLTable.Entry(keyPosition: position, value: placeholder))
        }
        let name = isArray ? "\(Quoted.escape(key))[\(arrays[key, default: []].count + 1)]" : Quoted.escape(key)
        open = OpenTable(key: key, name: name, isArrayElement: isArray, table: table)
    }

    mutating func add(_ key: String, at position: TOMLPosition, _ value: TOMLValue) throws(ConfigurationError) {
        let entry = TOMLTable.Entry(keyPosition: position, value: value)
        if let name = open?.name {
            if let existing = open?.table[key] {
                throw duplicate(name + "." + Quoted.escape(key), at: position, first: existing.keyPosition)
            }
            open?.table.set(key, entry)
        } else {
            if let existing = root[key] { throw duplicate(Quoted.escape(key), at: position, first: existing.keyPosition) }
            root.set(key, entry)
        }
    }

    /// The whole document, once every line has been read.
    mutating func finish() -> TOMLTable {
        closeOpenTable()
        for (key, elements) in arrays {
            let first = root[key]!  // set by openTable at the first [[key]]
            root.set(key, TOMLTable.Entry(keyPosition: first.keyPosition,
                                          value: TOMLValue(kind: .array(elements), position: first.value.position)))
        }
        return root
    }

    private mutating func closeOpenTable() {
        guard let closed = open else { return }
        open = nil
        let value = TOMLValue(kind: .table(closed.table), position: closed.table.position)
        if closed.isArrayElement {
            arrays[closed.key, default: []].append(value)
        } else {
            root.set(closed.key, TOMLTable.Entry(keyPosition: closed.table.position, value: value))
        }
    }

    private func duplicate(_ name: String, at position: TOMLPosition, first: TOMLPosition) -> ConfigurationError {
        ConfigurationError(file: file, line: position.line, column: position.column,
                           message: "'\(name)' is defined twice: first at line \(first.line)")
    }
}
