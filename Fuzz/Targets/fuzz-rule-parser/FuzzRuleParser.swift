import NazoratCore

/// One input: a rule file's bytes. The parser must accept or refuse it with file:line:column,
/// never crash or hang (a crash here killed nazoratd on SIGHUP: issue 15).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let rules = try RuleParser(file: "fuzz.rules").parse(text)
        _ = Policy(rules: rules, implicit: .block)
    } catch {
        precondition(error.line >= 1 && error.column >= 1 && !error.message.isEmpty, "an error without a position")
    }
    return 0
}
