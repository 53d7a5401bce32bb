import NazoratCore
import Testing

@Suite struct DeviceHashTests {
    /// USBGuard 1.1.2 printed this parent-hash for root hubs under 0000:00:14.0
    /// (Tests/Fixtures/usbguard/polling-station.rules).
    @Test func rootHubParentHashIsTheHashOfTheControllersSysfsPath() {
        #expect(DeviceHash.of(sysfsPath: "/devices/pci0000:00/0000:00:14.0")
            == "rV9bfLq7c2eA4tYjVjwO4bxhm+y6GgZpl9J60L0fBkY=")
    }

    /// The fields are hashed back to back, without separators, as USBGuard does:
    /// SHA-256("abc") is a published test vector (FIPS 180-2).
    @Test func fieldsAreConcatenatedWithoutSeparators() {
        let split = DeviceHash.device(product: Array("a".utf8), vendorID: Array("b".utf8), productID: [],
                                      serial: Array("c".utf8), descriptorHashInput: [])
        #expect(split == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    @Test func everyFieldChangesTheHash() {
        let base = (p: Array("Scanner".utf8), v: Array("2c4e".utf8), i: Array("0b01".utf8), s: Array("BS1".utf8),
                    d: Descriptors.device(vendor: 0x2c4e, product: 0x0b01, bcd: 0x0112))
        let reference = DeviceHash.device(product: base.p, vendorID: base.v, productID: base.i, serial: base.s,
                                          descriptorHashInput: base.d)
        let variants = [
            DeviceHash.device(product: base.p + [0], vendorID: base.v, productID: base.i, serial: base.s, descriptorHashInput: base.d),
            DeviceHash.device(product: base.p, vendorID: Array("2c4f".utf8), productID: base.i, serial: base.s, descriptorHashInput: base.d),
            DeviceHash.device(product: base.p, vendorID: base.v, productID: Array("0b02".utf8), serial: base.s, descriptorHashInput: base.d),
            DeviceHash.device(product: base.p, vendorID: base.v, productID: base.i, serial: Array("BS2".utf8), descriptorHashInput: base.d),
            DeviceHash.device(product: base.p, vendorID: base.v, productID: base.i, serial: base.s,
                              descriptorHashInput: Descriptors.device(vendor: 0x2c4e, product: 0x0b01, bcd: 0x0113)),
        ]
        #expect(Set(variants + [reference]).count == variants.count + 1)
    }
}
