/// Splits one line of a rule file into tokens: words (targets, attribute names,
/// operators, ids, interface types, conditions with their parameter), quoted strings
/// (unescaped to bytes), `{`, `}` and `!`. A `#` outside a string starts a comment.
struct RuleLexer {
    struct Token: Equatable {
        enum Kind: Equatable {
            case word(String)
            case string([UInt8])
            case openBrace, closeBrace, bang
        }

        var kind: Kind
        var line: Int
        var column: Int
        /// The source text of the token.
        var text: String

        var endColumn: Int { column + text.count }

        /// The token as an error message shows it.
        var shown: String {
            switch kind {
            case .word, .openBrace, .closeBrace, .bang: "'\(DeviceString(text).escaped(limit: 40))'"
            case .string(let bytes): "the string \"\(DeviceString(bytes: bytes).escaped(limit: 40))\""
            }
        }
    }

    let line: Substring
    let number: Int
    let file: String

    init(line: Substring, number: Int, file: String) {
        self.line = line
        self.number = number
        self.file = file
    }

    func tokens() throws(RuleParser.Error) -> [Token] {
        let characters = Array(line)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            switch character {
            case " ", "\t", "\r":
                index += 1
            case "#":
                return tokens
            case "{", "}", "!":
                let kind: Token.Kind = character == "{" ? .openBrace : character == "}" ? .closeBrace : .bang
                tokens.append(Token(kind: kind, line: number, column: column, text: String(character)))
                index += 1
            case "\"":
                let (bytes, end) = try string(characters, from: index)
                tokens.append(Token(kind: .string(bytes), line: number, column: column,
                                    text: String(characters[index..<end])))
                index = end
            default:
                var end = index
                var depth = 0
                while end < characters.count {
                    let c = characters[end]
                    if c == "(" { depth += 1 }
                    if c == ")" { depth -= 1 }
                    if depth == 0 && (c == " " || c == "\t" || c == "{" || c == "}" || c == "\"" || c == "#" || c == "!") {
                        break
                    }
                    end += 1
                }
                let word = String(characters[index..<end])
                tokens.append(Token(kind: .word(word), line: number, column: column, text: word))
                index = end
            }
        }
        return tokens
    }

    /// A quoted string starting at `start` (the opening quote): its bytes and the index after the closing quote.
    private func string(_ characters: [Character], from start: Int) throws(RuleParser.Error) -> ([UInt8], Int) {
        var bytes: [UInt8] = []
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "\"" { return (bytes, index + 1) }
            if character != "\\" {
                bytes += Array(String(character).utf8)
                index += 1
                continue
            }
            guard index + 1 < characters.count else { break }
            let escape = characters[index + 1]
            let simple: [Character: UInt8] = [
                "\"": 0x22, "\\": 0x5C, "a": 0x07, "b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B,
            ]
            if let byte = simple[escape] {
                bytes.append(byte)
                index += 2
            } else if escape == "x", index + 3 < characters.count,
                      let byte = UInt8(String(characters[index + 2...index + 3]), radix: 16) {
                bytes.append(byte)
                index += 4
            } else {
                throw RuleParser.Error(file: file, line: number, column: index + 1,
                                       message: "invalid escape '\\\(escape)' in a string; expected \\\", \\\\, \\xHH or \\a \\b \\f \\n \\r \\t \\v")
            }
        }
        throw RuleParser.Error(file: file, line: number, column: start + 1, message: "unterminated string: expected a closing '\"'")
    }
}
