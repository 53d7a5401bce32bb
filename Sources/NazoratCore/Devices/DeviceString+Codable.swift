/// The stored form of a device string: its bytes as one lowercase hex string.
///
/// Records (the devices table, the sealed inventory) keep the exact bytes, not a rendering.
/// Hex is one JSON string per value; the synthesized form it replaced wrote every byte as a
/// JSON number (`{"bytes":[72,101,…]}`), which made encoding the devices table the largest
/// single cost of a coldplug. Records written in that form are still read.
extension DeviceString: Codable {
    private enum LegacyKey: String, CodingKey { case bytes }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.string(bytes))
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let text = try? container.decode(String.self) {
            guard let bytes = Hex.bytes(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a device string is not hex")
            }
            self.init(bytes: bytes)
            return
        }
        let legacy = try decoder.container(keyedBy: LegacyKey.self)
        self.init(bytes: try legacy.decode([UInt8].self, forKey: .bytes))
    }
}
