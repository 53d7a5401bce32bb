@testable import NazoratDaemon
import NazoratAPI
import NazoratCore
import NazoratHTTP
import Testing

/// `GET /v1/devices` from cached documents.
@Suite struct DeviceDocumentCacheTests {
    private func inputs(_ devices: [USBDevice], decision: String = "allow") -> [DeviceDocument.Inputs] {
        devices.map { .init(device: $0, role: "storage", decision: decision, sealed: false, cutInterfaces: []) }
    }

    @Test func theListIsByteForByteWhatEncodingTheDocumentsGives() {
        var hostile = InProcessStation.stick
        hostile.product = DeviceString(bytes: Array("\u{1B}[31mred/\"quoted\"\u{202E}".utf8))
        let given = inputs([InProcessStation.scanner, hostile])
        let listed = DeviceDocumentCache.list(DeviceDocumentCache().encoded(given))
        #expect(listed == ControlResponse.json(DeviceList(devices: given.map(\.document))).body)
    }

    @Test func aDeviceIsEncodedAgainOnlyWhenWhatItShowsChanged() throws {
        let cache = DeviceDocumentCache()
        let first = cache.encoded(inputs([InProcessStation.scanner, InProcessStation.stick]))
        #expect(cache.encoded(inputs([InProcessStation.scanner, InProcessStation.stick])) == first)
        let blocked = cache.encoded(inputs([InProcessStation.scanner, InProcessStation.stick], decision: "block"))
        #expect(blocked != first && String(decoding: blocked[1], as: UTF8.self).contains(#""decision":"block""#))
        var renamed = InProcessStation.stick
        renamed.serial = DeviceString(bytes: Array("ANOTHER".utf8))
        let changed = cache.encoded(inputs([InProcessStation.scanner, renamed]))
        #expect(changed[0] == first[0] && String(decoding: changed[1], as: UTF8.self).contains("ANOTHER"))
    }
}
