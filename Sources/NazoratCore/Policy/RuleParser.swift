/// Parses USBGuard's rule language (usbguard-rules.conf(5)): one rule per line, `#`
/// comments, `target [vid:pid] attribute* [if condition]`.
///
/// Everything USBGuard accepts for the attributes is accepted here: single values and
/// `[operator] { ... }` sets with all-of, one-of, none-of, equals (the default),
/// equals-ordered and match-all; `*` in device ids and interface types; strings with
/// `\"`, `\\`, `\xHH` and the C escapes. Conditions `true`, `false` and
/// `localtime(...)` are evaluated; `allowed-matches`, `rule-applied`, `rule-evaluated`
/// and `random` are refused with an error rather than ignored. Every error names
/// `file:line:column` and what was expected.
public struct RuleParser {
    /// A syntax or meaning error in a rule file.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The rule file.
        public var file: String
        /// 1-based line.
        public var line: Int
        /// 1-based column.
        public var column: Int
        /// What is wrong and what was expected.
        public var message: String

        public var description: String { "\(file):\(line):\(column): \(message)" }
    }

    /// The attribute names, in the order USBGuard documents them.
    public static let attributeNames = [
        "id", "hash", "parent-hash", "name", "serial", "via-port", "with-interface", "with-connect-type", "label",
    ]

    private let file: String

    /// A parser whose errors name `file`.
    public init(file: String) {
        self.file = file
    }

    /// Parses a whole rule file.
    public func parse(_ text: String) throws(Error) -> [Rule] {
        var rules: [Rule] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var tokens = try RuleLexer(line: Substring(line), number: index + 1, file: file).tokens()
            guard !tokens.isEmpty else { continue }
            rules.append(try parseRule(&tokens, line: index + 1))
        }
        return rules
    }

    /// Parses one rule (a line without its newline).
    public func parseRule(_ text: String, line: Int = 1) throws(Error) -> Rule {
        var tokens = try RuleLexer(line: Substring(text), number: line, file: file).tokens()
        guard !tokens.isEmpty else { throw error(line, 1, "expected a rule, found an empty line") }
        return try parseRule(&tokens, line: line)
    }

    func error(_ line: Int, _ column: Int, _ message: String) -> Error {
        Error(file: file, line: line, column: column, message: message)
    }

    func error(_ token: RuleLexer.Token, _ message: String) -> Error {
        error(token.line, token.column, message)
    }

    private func parseRule(_ tokens: inout [RuleLexer.Token], line: Int) throws(Error) -> Rule {
        var stream = TokenStream(tokens: tokens, line: line)
        let first = stream.next()!
        guard case .word(let word) = first.kind, let target = Rule.Target(rawValue: word) else {
            throw error(first, "expected a target (allow, block or reject), found \(first.shown)")
        }
        var rule = Rule(target: target, line: line)
        var seen: Set<String> = []
        if let token = stream.peek(), case .word(let word) = token.kind, word.contains(":") {
            stream.advance()
            rule.id = Rule.Attribute(setOperator: .equals, values: [try deviceID(word, token)])
            seen.insert("id")
        }
        while let token = stream.next() {
            guard case .word(let word) = token.kind else {
                throw error(token, "expected an attribute (\(Self.attributeNames.joined(separator: ", "))) or 'if', found \(token.shown)")
            }
            if word == "if" {
                rule.conditions = try conditions(&stream, after: token)
                if let extra = stream.next() { throw error(extra, "expected the end of the rule after its conditions, found \(extra.shown)") }
                break
            }
            guard Self.attributeNames.contains(word) else {
                throw error(token, "unknown attribute '\(word)'; expected one of \(Self.attributeNames.joined(separator: ", ")) or 'if'")
            }
            guard seen.insert(word).inserted else { throw error(token, "duplicate attribute '\(word)' in one rule") }
            switch word {
            case "id": rule.id = try attribute(&stream, after: token) { value, _ throws(Error) in
                guard case .word(let text) = value.kind else { throw error(value, "expected a device id like 046d:c52b, 046d:* or *:*, found \(value.shown)") }
                return try deviceID(text, value)
            }
            case "with-interface": rule.withInterface = try attribute(&stream, after: token) { value, _ throws(Error) in
                try interfacePattern(value)
            }
            default:
                let parsed = try attribute(&stream, after: token) { value, _ throws(Error) in try string(value, for: word) }
                switch word {
                case "hash": rule.hash = parsed
                case "parent-hash": rule.parentHash = parsed
                case "name": rule.name = parsed
                case "serial": rule.serial = parsed
                case "via-port": rule.viaPort = parsed
                case "with-connect-type": rule.withConnectType = parsed
                default: rule.label = parsed
                }
            }
        }
        return rule
    }

    /// `value` or `[operator] { value ... }`.
    private func attribute<Value>(
        _ stream: inout TokenStream, after name: RuleLexer.Token,
        _ value: (RuleLexer.Token, RuleLexer.Token) throws(Error) -> Value
    ) throws(Error) -> Rule.Attribute<Value> {
        guard var token = stream.next() else {
            throw error(name.line, name.endColumn, "expected a value or a set after '\(name.text)'")
        }
        var setOperator = Rule.SetOperator.equals
        if case .word(let word) = token.kind, let parsed = Rule.SetOperator(rawValue: word) {
            setOperator = parsed
            guard let brace = stream.next(), brace.kind == .openBrace else {
                throw error(stream.last ?? token, "expected '{' after the set operator '\(word)'")
            }
            token = brace
        }
        guard token.kind == .openBrace else {
            return Rule.Attribute(setOperator: setOperator, values: [try value(token, name)])
        }
        var values: [Value] = []
        while true {
            guard let next = stream.next() else {
                throw error(token, "expected '}' to close the set opened here")
            }
            if next.kind == .closeBrace { break }
            values.append(try value(next, name))
        }
        return Rule.Attribute(setOperator: setOperator, values: values)
    }

    private func deviceID(_ text: String, _ token: RuleLexer.Token) throws(Error) -> Rule.DeviceIDPattern {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        func part(_ text: Substring) -> (ok: Bool, value: UInt16?) {
            if text == "*" { return (true, nil) }
            guard text.count == 4, let value = UInt16(text, radix: 16) else { return (false, nil) }
            return (true, value)
        }
        guard parts.count == 2 else {
            throw error(token, "expected a device id like 046d:c52b, 046d:* or *:*, found '\(text)'")
        }
        let vendor = part(parts[0]), product = part(parts[1])
        guard vendor.ok, product.ok, !(vendor.value == nil && product.value != nil) else {
            throw error(token, "expected a device id like 046d:c52b, 046d:* or *:*, found '\(text)'")
        }
        return Rule.DeviceIDPattern(vendor: vendor.value, product: product.value)
    }

    private func interfacePattern(_ token: RuleLexer.Token) throws(Error) -> Rule.InterfacePattern {
        let expected = "expected an interface type cc:ss:pp, cc:ss:* or cc:*:* (hex), found \(token.shown)"
        guard case .word(let text) = token.kind else { throw error(token, expected) }
        do {
            return try Rule.InterfacePattern.parse(text)
        } catch {
            switch error {
            case .malformed: throw self.error(token, expected)
            case .protocolWithoutSubclass:
                throw self.error(token, "a subclass '*' needs a protocol '*' too (USBGuard does not match a class and a "
                                     + "protocol alone), found '\(text)'")
            }
        }
    }

    private func string(_ token: RuleLexer.Token, for attribute: String) throws(Error) -> DeviceString {
        guard case .string(let bytes) = token.kind else {
            throw error(token, "expected a quoted string after '\(attribute)', found \(token.shown)")
        }
        return DeviceString(bytes: bytes)
    }
}
