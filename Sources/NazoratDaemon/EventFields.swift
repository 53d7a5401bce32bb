import Foundation

/// Journal fields taken from an event's payload (its JSON is already escaped and bounded).
enum EventFields {
    /// NAZORAT_DEVICE_PORT, _ID and _SERIAL of a payload with a `device` object.
    static func device(fromPayload payload: String) -> [String: String] {
        guard let object = parse(payload), let device = object["device"] as? [String: Any] else { return [:] }
        var fields: [String: String] = [:]
        fields["NAZORAT_DEVICE_PORT"] = device["port"] as? String
        if let vendor = device["vendorId"] as? String, let product = device["productId"] as? String {
            fields["NAZORAT_DEVICE_ID"] = vendor + ":" + product
        }
        fields["NAZORAT_DEVICE_SERIAL"] = device["serial"] as? String
        return fields
    }

    /// A top-level string of a payload.
    static func string(_ key: String, inPayload payload: String) -> String? {
        parse(payload)?[key] as? String
    }

    private static func parse(_ payload: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
    }
}
