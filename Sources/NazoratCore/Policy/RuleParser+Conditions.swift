/// The `if` part of a rule: conditions, their terms, and the token stream they are read from.
extension RuleParser {
    func conditions(_ stream: inout TokenStream, after ifToken: RuleLexer.Token) throws(Error) -> Rule.Conditions {
        guard let first = stream.peek() else { throw error(ifToken.line, ifToken.endColumn, "expected a condition after 'if'") }
        if case .word(let word) = first.kind, let setOperator = Rule.SetOperator(rawValue: word) {
            stream.advance()
            guard setOperator != .matchAll else { throw error(first, "'match-all' is not a condition operator; use all-of, one-of or none-of") }
            guard let brace = stream.next(), brace.kind == .openBrace else {
                throw error(stream.last ?? first, "expected '{' after the condition operator '\(word)'")
            }
            var terms: [Rule.ConditionTerm] = []
            while true {
                guard let token = stream.next() else { throw error(brace, "expected '}' to close the conditions opened here") }
                if token.kind == .closeBrace { break }
                terms.append(try term(token, &stream))
            }
            return Rule.Conditions(setOperator: setOperator, terms: terms)
        }
        if first.kind == .openBrace {
            stream.advance()
            var terms: [Rule.ConditionTerm] = []
            while true {
                guard let token = stream.next() else { throw error(first, "expected '}' to close the conditions opened here") }
                if token.kind == .closeBrace { break }
                terms.append(try term(token, &stream))
            }
            return Rule.Conditions(setOperator: .equals, terms: terms)
        }
        stream.advance()
        return Rule.Conditions(setOperator: .allOf, terms: [try term(first, &stream)])
    }

    private func term(_ token: RuleLexer.Token, _ stream: inout TokenStream) throws(Error) -> Rule.ConditionTerm {
        var negated = false
        var token = token
        if token.kind == .bang {
            negated = true
            guard let next = stream.next() else { throw error(token.line, token.endColumn, "expected a condition after '!'") }
            token = next
        }
        guard case .word(let word) = token.kind else { throw error(token, "expected a condition, found \(token.shown)") }
        let name = String(word.prefix { $0 != "(" })
        let parameter: String? = word.contains("(")
            ? (word.hasSuffix(")") ? String(word.drop { $0 != "(" }.dropFirst().dropLast()) : nil) : ""
        guard let parameter else { throw error(token, "expected ')' to close the parameter of '\(name)'") }
        switch name {
        case "true" where parameter.isEmpty: return Rule.ConditionTerm(negated: negated, condition: .true)
        case "false" where parameter.isEmpty: return Rule.ConditionTerm(negated: negated, condition: .false)
        case "localtime":
            guard let range = Self.timeRange(parameter) else {
                throw error(token, "expected localtime(HH:MM[:SS]) or localtime(HH:MM[:SS]-HH:MM[:SS]), found '\(word)'")
            }
            return Rule.ConditionTerm(negated: negated, condition: .localtime(from: range.from, to: range.to))
        case "allowed-matches", "rule-applied", "rule-evaluated", "random":
            throw error(token, "condition '\(name)' is not supported by Nazorat: it depends on history or chance, "
                + "which a polling station's decisions must not; remove it or use true, false or localtime(...)")
        default:
            throw error(token, "unknown condition '\(name)'; expected true, false or localtime(...)")
        }
    }

    /// `HH:MM[:SS]` or `HH:MM[:SS]-HH:MM[:SS]` as seconds since midnight.
    static func timeRange(_ text: String) -> (from: Int, to: Int)? {
        func seconds(_ part: Substring) -> Int? {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(fields.count), fields.allSatisfy({ $0 != nil }) else { return nil }
            let h = fields[0]!, m = fields[1]!, s = fields.count == 3 ? fields[2]! : 0
            guard (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(s) else { return nil }
            return h * 3600 + m * 60 + s
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return seconds(parts[0]).map { ($0, $0) }
        case 2:
            guard let from = seconds(parts[0]), let to = seconds(parts[1]) else { return nil }
            return (from, to)
        default: return nil
        }
    }
}

/// The tokens of one line, consumed left to right.
struct TokenStream {
    private var tokens: [RuleLexer.Token]
    private var index = 0
    let line: Int

    init(tokens: [RuleLexer.Token], line: Int) {
        self.tokens = tokens
        self.line = line
    }

    /// The token `next()` returned last. The index never passes the end: a rule that ends
    /// early (`allow name one-of`) once made `last` read past the tokens and crash the
    /// daemon on a policy reload.
    var last: RuleLexer.Token? { index > 0 ? tokens[index - 1] : nil }

    func peek() -> RuleLexer.Token? { index < tokens.count ? tokens[index] : nil }

    mutating func advance() { index = min(index + 1, tokens.count) }

    mutating func next() -> RuleLexer.Token? {
        guard let token = peek() else { return nil }
        index += 1
        return token
    }
}
