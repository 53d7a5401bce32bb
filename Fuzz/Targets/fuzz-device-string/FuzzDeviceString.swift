import NazoratCore

/// One input: a string descriptor's bytes, as a hostile device sends them. The escaped form
/// must hold no control byte (C0, DEL, C1), no bidirectional override, be bounded by the
/// limit, and be what it is for the same bytes every time.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeviceString(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 64
    let escaped = DeviceString(bytes: bytes).escaped(limit: limit)
    for scalar in escaped.unicodeScalars {
        precondition(scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value),
                     "a control character in the escaped output")
        precondition(!(0x202A...0x202E).contains(scalar.value) && !(0x2066...0x2069).contains(scalar.value),
                     "a bidirectional control in the escaped output")
    }
    // At most four output bytes per input byte (`\xHH`; `\u{10FFFF}` stands for four), and the summary.
    precondition(escaped.utf8.count <= 4 * limit + 32, "unbounded output: \(escaped.utf8.count) bytes")
    precondition(escaped == DeviceString(bytes: bytes).escaped(limit: limit), "not deterministic")
    return 0
}
