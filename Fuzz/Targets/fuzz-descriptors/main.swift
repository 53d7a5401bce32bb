import NazoratCore

/// One input: what a hostile device presents. The first byte is the length of its product
/// string, then that string, then a byte for the serial's length and the serial; the rest
/// is the `descriptors` attribute. The parser must accept it or refuse it with an offset
/// inside the bytes; an accepted device gets its USBGuard hash, and the rule that
/// `generate-policy` writes for it must parse back and allow exactly that device (a quoting
/// or escaping bug in RuleWriter would let the rule miss the device, or parse as another).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDescriptors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Array(UnsafeBufferPointer(start: data, count: size))[...]
    let product = take(&input), serial = take(&input)
    let descriptors = Array(input)
    let parsed: DescriptorParser.Parsed
    do {
        parsed = try DescriptorParser.parse(descriptors)
    } catch {
        if case .missingDeviceDescriptor = error { return 0 }
        precondition(offset(of: error).map { (0..<descriptors.count).contains($0) } ?? false,
                     "a refusal outside the bytes: \(error)")
        return 0
    }
    precondition(parsed.hashInput.count <= descriptors.count, "hash input longer than the descriptors")
    precondition(parsed.interfaces.count <= descriptors.count / 9, "more interfaces than descriptors")
    let device = USBDevice(
        syspath: "/sys/devices/fuzz/1-1", port: "1-1", vendorID: parsed.vendorID, productID: parsed.productID,
        serial: DeviceString(bytes: serial), product: DeviceString(bytes: product), bcdDevice: parsed.bcdDevice,
        deviceClass: parsed.deviceClass, interfaces: parsed.interfaces, connectType: .hotplug, authorized: false,
        hash: DeviceHash.device(product: product, vendorID: Array(hex(parsed.vendorID).utf8),
                                productID: Array(hex(parsed.productID).utf8), serial: serial,
                                descriptorHashInput: parsed.hashInput),
        parentHash: DeviceHash.of(sysfsPath: "/devices/fuzz"))
    let text = RuleWriter.rule(for: device, viaPort: true, role: Role.guess(for: device))
    let rules: [Rule]
    do {
        rules = try RuleParser(file: "generated.rules").parse(text + "\n")
    } catch {
        preconditionFailure("the generated rule does not parse: \(error)")
    }
    let decision = Policy(rules: rules, implicit: .block).decide(device, secondsOfDay: 0)
    precondition(decision.target == .allow && decision.ruleLine == 1, "the generated rule does not allow its device")
    return 0
}

/// Takes a length byte and that many bytes (fewer if the input ends).
private func take(_ input: inout ArraySlice<UInt8>) -> [UInt8] {
    guard let count = input.popFirst() else { return [] }
    let taken = Array(input.prefix(Int(count)))
    input = input.dropFirst(taken.count)
    return taken
}

private func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}

private func offset(of error: DescriptorParser.ParseError) -> Int? {
    switch error {
    case .truncatedHeader(let offset), .lengthTooSmall(let offset, _), .lengthBeyondEnd(let offset, _, _),
         .unexpectedSize(let offset, _, _), .duplicateDeviceDescriptor(let offset), .orphanDescriptor(let offset, _):
        offset
    case .missingDeviceDescriptor:
        nil
    }
}
