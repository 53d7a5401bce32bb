/// The values that fit on one line: strings, integers, booleans; and the check that the
/// file's bytes are UTF-8 before they are read as text.
extension TOMLReader {
    /// The file's bytes as text. Invalid UTF-8 is refused at its place: decoding it with
    /// replacement characters would change what the file says without anyone seeing it.
    static func text(utf8 bytes: [UInt8], file: String) throws(ConfigurationError) -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .error:
                let position = position(of: offset, in: bytes)
                let byte = String(bytes[offset], radix: 16, uppercase: true)
                throw ConfigurationError(file: file, line: position.line, column: position.column,
                                         message: "the file is not valid UTF-8 (byte 0x\(byte)): save it as UTF-8")
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// `"..."` with TOML's escapes, from its opening quote.
    mutating func basicString() throws(ConfigurationError) -> String {
        let start = position
        advance()
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek, !atLineEnd else { throw unterminated(at: start, quote: "\"") }
            switch byte {
            case ASCII.quote:
                advance()
                return String(decoding: utf8, as: UTF8.self)
            case ASCII.backslash:
                try escape(into: &utf8, inStringFrom: start)
            default:
                try refuseControl(byte, in: "a string")
                utf8.append(byte)
                advance()
            }
        }
    }

    /// `'...'`: every character as written, no escapes.
    mutating func literalString() throws(ConfigurationError) -> String {
        let start = position
        advance()
        let first = index
        while let byte = peek, byte != ASCII.apostrophe {
            guard !atLineEnd else { throw unterminated(at: start, quote: "'") }
            try refuseControl(byte, in: "a string")
            advance()
        }
        guard peek != nil else { throw unterminated(at: start, quote: "'") }
        let string = String(decoding: bytes[first..<index], as: UTF8.self)
        advance()
        return string
    }

    /// A word or number (`token`, starting at `start`) as a boolean or an integer.
    func scalar(_ token: ArraySlice<UInt8>, at start: TOMLPosition) throws(ConfigurationError) -> TOMLValue.Kind {
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: break
        }
        var digits = token
        let sign = digits.first.flatMap { $0 == ASCII.plus || $0 == ASCII.minus ? $0 : nil }
        if sign != nil { digits = digits.dropFirst() }
        let unsigned = String(decoding: digits, as: UTF8.self)
        var radix = 10
        for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] where unsigned.hasPrefix(prefix) {
            guard sign == nil else { throw error(at: start, "a hex, octal or binary integer takes no sign") }
            radix = base
            digits = digits.dropFirst(2)
        }
        if radix == 10 {
            if Self.isDateOrTime(digits) {
                throw error(at: start, "dates and times are not supported in nazorat.toml: write them as a \"quoted string\"")
            }
            let isNumber = digits.first.map(ASCII.isDigit) ?? false
            if unsigned == "inf" || unsigned == "nan"
                || (isNumber && digits.contains { $0 == ASCII.dot || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                throw error(at: start, "\(Quoted.escape(text)) is not a whole number; nazorat.toml takes integers only")
            }
            guard isNumber else {
                throw error(at: start, "expected a value: a \"quoted string\", a number, true, false or a [list]")
            }
            if digits.count > 1, digits.first == UInt8(ascii: "0") {
                throw error(at: start, "\(Quoted.escape(text)) has a leading zero, which TOML does not allow")
            }
        }
        return .integer(try integer(digits, radix: radix, negative: sign == ASCII.minus, text: text, at: start))
    }

    /// Digits with single `_` between them; accumulated towards the sign, so that Int.min fits.
    private func integer(_ digits: ArraySlice<UInt8>, radix: Int, negative: Bool, text: String,
                         at start: TOMLPosition) throws(ConfigurationError) -> Int {
        var value = 0
        var previousWasDigit = false
        for byte in digits {
            if byte == UInt8(ascii: "_"), previousWasDigit {
                previousWasDigit = false
                continue
            }
            guard let digit = ASCII.digitValue(byte), digit < radix else {
                throw error(at: start, "\(Quoted.escape(text)) is not an integer")
            }
            let shifted = value.multipliedReportingOverflow(by: radix)
            let next = negative ? shifted.partialValue.subtractingReportingOverflow(digit)
                                : shifted.partialValue.addingReportingOverflow(digit)
            guard !shifted.overflow, !next.overflow else {
                throw error(at: start, "\(Quoted.escape(text)) does not fit in an integer of nazorat.toml "
                                     + "(\(Int.min) to \(Int.max))")
            }
            value = next.partialValue
            previousWasDigit = true
        }
        guard previousWasDigit else { throw error(at: start, "\(Quoted.escape(text)) is not an integer") }
        return value
    }

    /// `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`, from the backslash.
    private mutating func escape(into utf8: inout [UInt8], inStringFrom stringStart: TOMLPosition) throws(ConfigurationError) {
        let start = position
        advance()
        guard peek != nil, !atLineEnd else { throw unterminated(at: stringStart, quote: "\"") }
        if let byte = peek, let replacement = Self.simpleEscape(byte) {
            utf8.append(replacement)
            advance()
            return
        }
        let count = peek == UInt8(ascii: "u") ? 4 : peek == UInt8(ascii: "U") ? 8 : 0
        guard count > 0 else {
            throw error(at: start, "this backslash starts no escape TOML knows: write \\\\ for a backslash, or one of "
                                 + "\\b \\t \\n \\f \\r \\\" \\uXXXX \\UXXXXXXXX")
        }
        advance()
        var code: UInt32 = 0
        for _ in 0..<count {
            guard let byte = peek, let digit = ASCII.digitValue(byte), digit < 16 else {
                throw error(at: start, "\\\(count == 4 ? "u" : "U") takes exactly \(count) hex digits")
            }
            code = code << 4 | UInt32(digit)
            advance()
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw error(at: start, "U+\(String(code, radix: 16, uppercase: true)) is not a Unicode character")
        }
        UTF8.encode(scalar) { utf8.append($0) }
    }

    /// What `\b`, `\t`, `\n`, `\f`, `\r`, `\"` and `\\` stand for.
    private static func simpleEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "r"): 0x0D
        case ASCII.quote, ASCII.backslash: byte
        default: nil
        }
    }

    /// A line feed, or a carriage return before one, ends a one-line string unterminated.
    private var atLineEnd: Bool {
        peek == ASCII.lineFeed
            || (peek == ASCII.carriageReturn && index + 1 < bytes.count && bytes[index + 1] == ASCII.lineFeed)
    }

    private func unterminated(at start: TOMLPosition, quote: String) -> ConfigurationError {
        error(at: start, "this string is not closed: add a \(quote) before the end of the line")
    }

    /// `1979-05-27` and `07:32:00` begin like numbers.
    private static func isDateOrTime(_ digits: ArraySlice<UInt8>) -> Bool {
        let leading = digits.prefix(while: ASCII.isDigit)
        let after = digits.dropFirst(leading.count).first
        return (leading.count == 4 && after == ASCII.minus) || (leading.count == 2 && after == UInt8(ascii: ":"))
    }
}

/// The bytes the reader looks for.
enum ASCII {
    static let tab = UInt8(ascii: "\t"), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " "), quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")
    static let hash = UInt8(ascii: "#"), equals = UInt8(ascii: "="), dot = UInt8(ascii: "."), comma = UInt8(ascii: ",")
    static let plus = UInt8(ascii: "+"), minus = UInt8(ascii: "-"), backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]"), openBrace = UInt8(ascii: "{")

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// A-Z a-z 0-9 _ -
    static func isBareKey(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte == UInt8(ascii: "_")
            || byte == minus
    }

    /// What may follow a value on its line, or in a list.
    static func endsValue(_ byte: UInt8) -> Bool {
        [space, tab, lineFeed, carriageReturn, comma, closeBracket, hash].contains(byte)
    }

    /// 0-9, a-f, A-F as a number; nil for anything else.
    static func digitValue(_ byte: UInt8) -> Int? {
        if isDigit(byte) { return Int(byte - UInt8(ascii: "0")) }
        let lower = byte | 0x20
        return (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower) ? Int(lower - UInt8(ascii: "a")) + 10 : nil
    }
}
