import Foundation
import NazoratCore
import Testing

@Suite struct DeviceRenderingTests {
    private let hostile = USBDevice(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3", port: "1-3", vendorID: 0x1234, productID: 0x5678,
        serial: DeviceString(bytes: Array(repeating: UInt8(ascii: "S"), count: 4095)),
        manufacturer: DeviceString(bytes: [0x1B] + Array("[31mEVIL".utf8) + [0x1B] + Array("[0m".utf8)),
        product: DeviceString(bytes: Array("Tab\there\nline".utf8) + [0xFF, 0xFE]),
        bcdDevice: 0x0001, deviceClass: 0, interfaces: [InterfaceType(classCode: 3, subclass: 1, protocol: 1)],
        connectType: .hotplug, parentPort: "usb1", authorized: true, hash: "h", parentHash: "p")

    private func json(_ device: USBDevice) throws -> [String: Any] {
        let data = try JSONEncoder().encode(DeviceJSON(device))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyKeyIsPresentAndMissingAttributesAreNull() throws {
        let bare = USBDevice(syspath: "/sys/devices/x/usb1/1-3", port: "1-3", vendorID: 0xabcd, productID: 1)
        let object = try json(bare)
        for key in ["syspath", "port", "vendorId", "productId", "serial", "manufacturer", "product", "bcdDevice",
                    "deviceClass", "interfaces", "connectType", "hash", "parentHash"] {
            #expect(object.keys.contains(key), "missing key \(key)")
        }
        #expect(object["serial"] is NSNull)
        #expect(object["manufacturer"] is NSNull)
        #expect(object["hash"] is NSNull)
        #expect(object["vendorId"] as? String == "abcd")
        #expect(object["productId"] as? String == "0001")
        #expect(object["interfaces"] as? [String] == [])
    }

    @Test func hostileStringsAreEscapedAndBoundedInJSON() throws {
        let object = try json(hostile)
        #expect(object["manufacturer"] as? String == #"\x1b[31mEVIL\x1b[0m"#)
        #expect(object["product"] as? String == #"Tab\there\nline\xff\xfe"#)
        let serial = try #require(object["serial"] as? String)
        #expect(serial.hasSuffix("…(+\(4095 - DeviceJSON.stringLimit) bytes)"))
        #expect(object["interfaces"] as? [String] == ["03:01:01"])
        #expect(object["connectType"] as? String == "hotplug")
    }

    @Test func theTableNeverCarriesControlCharactersAndKeepsItsColumns() {
        let table = DeviceTable.render([hostile, USBDevice(syspath: "/sys/x/usb1", port: "usb1")])
        #expect(!table.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F })
        let lines = table.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("usb1 "))
        #expect(lines[2].hasPrefix("1-3 "))
        // Cut cells keep the columns: the interfaces column starts at the same offset on every line.
        let column = String(lines[0]).range(of: "INTERFACES")!.lowerBound.utf16Offset(in: String(lines[0]))
        #expect(String(lines[2]).dropFirst(column).hasPrefix("03:01:01"))
        #expect(table.contains("SSSS…"))
    }
}
