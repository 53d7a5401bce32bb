import FoundationEssentials

/// Journal fields taken from an event's payload (its JSON is already escaped and bounded).
///
/// Decoded with FoundationEssentials' `JSONDecoder` into the few fields wanted: it runs for
/// every committed event, and Foundation's `JSONSerialization` (which it replaced) built a
/// dictionary of bridged objects for each one and pulled that whole machinery into the
/// daemon's resident pages at start.
enum EventFields {
    private struct DevicePayload: Decodable {
        struct Device: Decodable {
            var port: String?
            var vendorId: String?
            var productId: String?
            var serial: String?
        }

        var device: Device?
    }

    /// The payload's top-level string values; other values are skipped.
    private struct TopLevelStrings: Decodable {
        var values: [String: String] = [:]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if let value = try? container.decode(String.self, forKey: key) { values[key.stringValue] = value }
            }
        }
    }

    /// NAZORAT_DEVICE_PORT, _ID and _SERIAL of a payload with a `device` object.
    static func device(fromPayload payload: String) -> [String: String] {
        guard let device = (try? JSONDecoder().decode(DevicePayload.self, from: Data(payload.utf8)))?.device else {
            return [:]
        }
        var fields: [String: String] = [:]
        fields["NAZORAT_DEVICE_PORT"] = device.port
        if let vendor = device.vendorId, let product = device.productId {
            fields["NAZORAT_DEVICE_ID"] = vendor + ":" + product
        }
        fields["NAZORAT_DEVICE_SERIAL"] = device.serial
        return fields
    }

    /// A top-level string of a payload.
    static func string(_ key: String, inPayload payload: String) -> String? {
        (try? JSONDecoder().decode(TopLevelStrings.self, from: Data(payload.utf8)))?.values[key]
    }
}
