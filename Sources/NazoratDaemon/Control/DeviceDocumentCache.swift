import FoundationEssentials
import NazoratAPI
import NazoratCore
import Synchronization

/// Each present device's JSON in `GET /v1/devices`, encoded once and kept while nothing it
/// shows changes.
///
/// Encoding a thousand device documents with JSONEncoder cost three quarters of the list's
/// 27 ms (BENCHMARKS.md); a device's document changes only when the device, its decision,
/// role, seal or cut interfaces do, so the cache keeps the encoded bytes beside what they
/// were made from and re-encodes a device only when that differs. The policy is still asked
/// for each device at each request (a rule's time condition can change its answer).
final class DeviceDocumentCache: Sendable {
    private struct Entry {
        var document: DeviceDocument.Inputs
        var bytes: [UInt8]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The JSON of the documents for `inputs`, in order. Entries are updated in place (a copy
    /// of every entry per request cost as much as the encoding saved); the devices that left
    /// are dropped once the cache holds more than twice the present ones.
    func encoded(_ inputs: [DeviceDocument.Inputs]) -> [[UInt8]] {
        entries.withLock { entries in
            let encoded = inputs.map { input in
                if let bytes = entries[input.device.syspath].flatMap({ $0.document == input ? $0.bytes : nil }) {
                    return bytes
                }
                let bytes = Self.encode(input.document)
                entries[input.device.syspath] = Entry(document: input, bytes: bytes)
                return bytes
            }
            if entries.count > 2 * inputs.count {
                let present = Set(inputs.map(\.device.syspath))
                entries = entries.filter { present.contains($0.key) }
            }
            return encoded
        }
    }

    /// `{"devices":[...]}` and a newline around encoded documents: what `ControlResponse.json`
    /// writes for a `DeviceList` of them.
    static func list(_ documents: [[UInt8]]) -> [UInt8] {
        var body = Array(#"{"devices":["#.utf8)
        for (index, document) in documents.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += document
        }
        return body + Array("]}\n".utf8)
    }

    /// The document's bytes as `ControlResponse.json` writes them (sorted keys, slashes unescaped).
    static func encode(_ document: DeviceDocument) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A document of strings, booleans and arrays of them always encodes.
        return (try? Array(encoder.encode(document))) ?? []
    }
}

extension DeviceDocument {
    /// What a device's document is made from: compared instead of the rendered document,
    /// because rendering (escaping every string) is what the cache saves.
    struct Inputs: Equatable {
        var device: USBDevice
        var role: String
        var decision: String
        var sealed: Bool?
        var cutInterfaces: [CutInterface]

        var document: DeviceDocument {
            DeviceDocument(device: DeviceJSON(device), role: role, decision: decision, sealed: sealed,
                           cutInterfaces: cutInterfaces)
        }
    }
}
