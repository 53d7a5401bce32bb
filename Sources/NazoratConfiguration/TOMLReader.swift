/// Reads the TOML nazorat.toml is written in into a ``TOMLTable`` whose keys and values know
/// their line and column.
///
/// It is our own, and small, because the configuration is parsed at start and on every
/// SIGHUP and must neither leak nor crash: TOMLKit 0.6.0 never freed what toml++ allocated.
/// It reads comments, bare and quoted keys, one-line strings (basic, with TOML's escapes, and
/// literal), integers (decimal, hex, octal, binary), booleans, lists (nested, over several
/// lines), `[table]` and `[[array of tables]]` headers. The rest of TOML (floats, dates,
/// inline tables, dotted keys, multi-line strings) is refused at its position with a sentence
/// saying what to write instead: no key of nazorat.toml needs it. The input is hostile:
/// nesting is bounded by ``maximumDepth``, every loop advances, and integers that do not fit
/// are errors.
struct TOMLReader {
    /// How deeply lists may nest: enough for any configuration, and a bound on the recursion.
    static let maximumDepth = 32

    let bytes: [UInt8]
    let file: String
    var index = 0
    /// The position of `bytes[index]`.
    var position = TOMLPosition(line: 1, column: 1)

    /// Parses `text`; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> TOMLTable {
        var reader = TOMLReader(bytes: Array(text.utf8), file: file)
        return try reader.document()
    }

    private mutating func document() throws(ConfigurationError) -> TOMLTable {
        if let nul = bytes.firstIndex(of: 0) {
            throw error(at: Self.position(of: nul, in: bytes), "the file contains a NUL byte: nazorat.toml must be text")
        }
        // A byte order mark some editors write: not part of the text.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var builder = TOMLTableBuilder(file: file)
        while true {
            skipBlanks()
            guard let byte = peek else { break }
            switch byte {
            case ASCII.hash, ASCII.carriageReturn, ASCII.lineFeed:
                try endOfLine(after: "")
            case ASCII.openBracket:
                let start = position
                let (key, isArray) = try header()
                try builder.openTable(key, at: start, isArray: isArray)
                try endOfLine(after: " after the table header")
            default:
                let (key, start) = try key(inHeader: false)
                guard peek == ASCII.equals else { throw error(at: position, "expected '=' after the key") }
                advance()
                skipBlanks()
                try builder.add(key, at: start, value(depth: 0))
                try endOfLine(after: " after the value: write one key = value per line")
            }
        }
        return builder.finish()
    }

    /// `[name]` or `[[name]]`, from its `[`.
    private mutating func header() throws(ConfigurationError) -> (key: String, isArray: Bool) {
        advance()
        let isArray = peek == ASCII.openBracket
        if isArray { advance() }
        skipBlanks()
        let (key, _) = try key(inHeader: true)
        for _ in 0..<(isArray ? 2 : 1) {
            guard peek == ASCII.closeBracket else {
                throw error(at: position, isArray ? "expected ']]' to close the header [[\(Quoted.escape(key))]]"
                                                  : "expected ']' to close the header [\(Quoted.escape(key))]")
            }
            advance()
        }
        return (key, isArray)
    }

    /// A bare or quoted key and the blanks after it.
    private mutating func key(inHeader: Bool) throws(ConfigurationError) -> (String, TOMLPosition) {
        let start = position
        let key: String
        switch peek {
        case ASCII.quote?: key = try basicString()
        case ASCII.apostrophe?: key = try literalString()
        case let byte? where ASCII.isBareKey(byte):
            let first = index
            while let byte = peek, ASCII.isBareKey(byte) { advance() }
            key = String(decoding: bytes[first..<index], as: UTF8.self)
        default:
            throw error(at: start, inHeader ? "expected a table name, such as [policy]"
                                            : "expected a key, such as station = \"TSH-0001\", or a [table] header")
        }
        skipBlanks()
        if peek == ASCII.dot {
            throw error(at: position, inHeader
                ? "nested table names ([a.b]) are not supported in nazorat.toml: write each table as [name]"
                : "dotted keys (a.b = ...) are not supported in nazorat.toml: write the key under its [table] header")
        }
        return (key, start)
    }

    mutating func value(depth: Int) throws(ConfigurationError) -> TOMLValue {
        let start = position
        let kind: TOMLValue.Kind
        switch peek {
        case ASCII.quote?:
            if bytes[index...].starts(with: [ASCII.quote, ASCII.quote, ASCII.quote]) { throw multiLineString() }
            kind = .string(try basicString())
        case ASCII.apostrophe?:
            if bytes[index...].starts(with: [ASCII.apostrophe, ASCII.apostrophe, ASCII.apostrophe]) { throw multiLineString() }
            kind = .string(try literalString())
        case ASCII.openBracket?:
            kind = .array(try array(depth: depth))
        case ASCII.openBrace?:
            throw error(at: start, "inline tables ({ ... }) are not supported in nazorat.toml: write a [table] header "
                                 + "and its keys on the lines below it")
        case let byte? where ASCII.isBareKey(byte) || byte == ASCII.plus:
            kind = try scalar(token(), at: start)
        default:
            throw error(at: start, "expected a value: a \"quoted string\", a number, true, false or a [list]")
        }
        return TOMLValue(kind: kind, position: start)
    }

    /// `[a, b, ...]` over as many lines as it takes, comments and a trailing comma included.
    private mutating func array(depth: Int) throws(ConfigurationError) -> [TOMLValue] {
        let start = position
        guard depth < Self.maximumDepth else {
            throw error(at: start, "lists nested more than \(Self.maximumDepth) deep are not supported in nazorat.toml")
        }
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipBlanksAndLines()
            guard let byte = peek else { throw error(at: start, "this list is not closed: add a ']' after its last element") }
            if byte == ASCII.closeBracket { break }
            elements.append(try value(depth: depth + 1))
            try skipBlanksAndLines()
            if peek == ASCII.comma {
                advance()
            } else if peek == ASCII.closeBracket {
                break
            } else if peek == nil {
                throw error(at: start, "this list is not closed: add a ']' after its last element")
            } else {
                throw error(at: position, "expected ',' or ']' after an element of the list")
            }
        }
        advance()
        return elements
    }

    /// A number or a word, up to what may follow a value.
    private mutating func token() -> ArraySlice<UInt8> {
        let first = index
        while let byte = peek, !ASCII.endsValue(byte) { advance() }
        return bytes[first..<index]
    }

    /// Blanks, then a comment, then the end of the line or of the file.
    private mutating func endOfLine(after what: String) throws(ConfigurationError) {
        skipBlanks()
        if peek == ASCII.hash { try comment() }
        guard let byte = peek else { return }
        guard try lineBreak(byte) else { throw error(at: position, "expected the end of the line" + what) }
    }

    /// Consumes a line feed or a carriage return and line feed; false before anything else.
    private mutating func lineBreak(_ byte: UInt8) throws(ConfigurationError) -> Bool {
        if byte == ASCII.carriageReturn {
            guard index + 1 < bytes.count, bytes[index + 1] == ASCII.lineFeed else {
                throw error(at: position, "a carriage return must be followed by a line feed (CR LF)")
            }
            advance()
        } else if byte != ASCII.lineFeed {
            return false
        }
        advance()
        return true
    }

    private mutating func comment() throws(ConfigurationError) {
        while let byte = peek, byte != ASCII.lineFeed {
            if byte == ASCII.carriageReturn, index + 1 < bytes.count, bytes[index + 1] == ASCII.lineFeed { return }
            try refuseControl(byte, in: "a comment")
            advance()
        }
    }

    private mutating func skipBlanksAndLines() throws(ConfigurationError) {
        while true {
            skipBlanks()
            if peek == ASCII.hash { try comment() }
            guard let byte = peek, try lineBreak(byte) else { return }
        }
    }

    mutating func skipBlanks() {
        while peek == ASCII.space || peek == ASCII.tab { advance() }
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Moves past one byte; a column is counted at the first byte of each UTF-8 sequence.
    mutating func advance() {
        if bytes[index] == ASCII.lineFeed {
            position = TOMLPosition(line: position.line + 1, column: 1)
        } else if bytes[index] & 0xC0 != 0x80 {
            position.column += 1
        }
        index += 1
    }

    func error(at position: TOMLPosition, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: position.line, column: position.column, message: message)
    }

    /// TOML allows no control character but tab in strings and comments.
    func refuseControl(_ byte: UInt8, in place: String) throws(ConfigurationError) {
        guard (byte < 0x20 && byte != ASCII.tab) || byte == 0x7F else { return }
        let code = String(byte, radix: 16, uppercase: true)
        let hex = String(repeating: "0", count: 4 - code.count) + code
        throw error(at: position, "the control character U+\(hex) is not allowed in \(place)"
                        + (place == "a string" ? "; write it as \\u\(hex)" : ""))
    }

    private func multiLineString() -> ConfigurationError {
        error(at: position, "multi-line strings are not supported in nazorat.toml: write the value on one line, "
                          + "with \\n for a line break")
    }

    /// The position of `bytes[offset]`, counted as ``advance()`` counts.
    static func position(of offset: Int, in bytes: [UInt8]) -> TOMLPosition {
        var position = TOMLPosition(line: 1, column: 1)
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? min(3, offset) : 0
        for byte in bytes[start..<offset] {
            if byte == ASCII.lineFeed {
                position = TOMLPosition(line: position.line + 1, column: 1)
            } else if byte & 0xC0 != 0x80 {
                position.column += 1
            }
        }
        return position
    }
}
