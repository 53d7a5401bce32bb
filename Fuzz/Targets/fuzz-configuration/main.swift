import NazoratConfiguration

/// One input: a configuration file (TOML, with `[policy]`, `[uplink]`, `[[interfaces]]` and
/// the rest). It is loaded or refused with a sentence a person can read: a line inside the
/// file (or 0 for the whole file), a message, and no control character from the input
/// echoed raw (a technician reads it on a terminal). No input crashes or hangs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let configuration = try Configuration.parse(text, file: "/etc/nazorat/fuzz.toml")
        precondition(!configuration.station.isEmpty, "a configuration without a station")
    } catch {
        // By bytes: "\r\n" is one Character, so splitting the String would not count CRLF lines.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        precondition((0...lines + 1).contains(error.line), "line \(error.line) of a \(lines)-line file")
        precondition(!error.message.isEmpty, "an error without a message")
        precondition(!error.description.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
                     "a control character in the error: \(error.description.debugDescription)")
    }
    return 0
}
