import NazoratCore
import Testing

/// Descriptor blobs built the way the kernel lays them out.
enum Descriptors {
    static func device(vendor: UInt16, product: UInt16, bcd: UInt16, deviceClass: UInt8 = 0) -> [UInt8] {
        [18, 1, 0x00, 0x02, deviceClass, 0, 0, 64, UInt8(vendor & 0xFF), UInt8(vendor >> 8),
         UInt8(product & 0xFF), UInt8(product >> 8), UInt8(bcd & 0xFF), UInt8(bcd >> 8), 1, 2, 3, 1]
    }

    static func configuration(totalLength: UInt16 = 0, interfaces: UInt8) -> [UInt8] {
        [9, 2, UInt8(totalLength & 0xFF), UInt8(totalLength >> 8), interfaces, 1, 0, 0x80, 50]
    }

    static func interface(_ number: UInt8, alternate: UInt8 = 0, _ c: UInt8, _ s: UInt8, _ p: UInt8) -> [UInt8] {
        [9, 4, number, alternate, 1, c, s, p, 0]
    }

    static let endpoint: [UInt8] = [7, 5, 0x81, 3, 8, 0, 10]
    static let hidClass: [UInt8] = [9, 0x21, 0x11, 0x01, 0, 1, 0x22, 63, 0]
}

@Suite struct DescriptorParserTests {
    @Test func parsesIdsRevisionClassAndInterfacesInOrder() throws {
        let blob = Descriptors.device(vendor: 0x413c, product: 0x2113, bcd: 0x0110)
            + Descriptors.configuration(interfaces: 2)
            + Descriptors.interface(0, 3, 1, 1) + Descriptors.hidClass + Descriptors.endpoint
            + Descriptors.interface(1, 3, 0, 0) + Descriptors.hidClass + Descriptors.endpoint
        let parsed = try DescriptorParser.parse(blob)
        #expect(parsed.vendorID == 0x413c)
        #expect(parsed.productID == 0x2113)
        #expect(parsed.bcdDevice == 0x0110)
        #expect(parsed.interfaces.map(\.description) == ["03:01:01", "03:00:00"])
        // Every byte, class-specific descriptors included, is hashed as it is.
        #expect(parsed.hashInput == blob)
    }

    @Test func alternateSettingsAreListedLikeUSBGuardDoes() throws {
        let blob = Descriptors.device(vendor: 1, product: 2, bcd: 3) + Descriptors.configuration(interfaces: 1)
            + Descriptors.interface(0, alternate: 0, 0x0e, 2, 0) + Descriptors.interface(0, alternate: 1, 0x0e, 2, 0)
        #expect(try DescriptorParser.parse(blob).interfaces.map(\.description) == ["0e:02:00", "0e:02:00"])
    }

    @Test func linuxRootHubsAreHashedWithoutTheirKernelVersion() throws {
        let blob = Descriptors.device(vendor: 0x1d6b, product: 0x0002, bcd: 0x0601, deviceClass: 9)
            + Descriptors.configuration(interfaces: 1) + Descriptors.interface(0, 9, 0, 0)
        let parsed = try DescriptorParser.parse(blob)
        #expect(parsed.bcdDevice == 0x0601)
        #expect(Array(parsed.hashInput[12...13]) == [0, 0])
        #expect(Array(parsed.hashInput[14...]) == Array(blob[14...]))
    }

    @Test func otherDevicesKeepTheirRevisionInTheHash() throws {
        let blob = Descriptors.device(vendor: 0x1d6c, product: 0x0002, bcd: 0x0601)
        #expect(try DescriptorParser.parse(blob).hashInput == blob)
    }

    @Test(arguments: [
        (Descriptors.device(vendor: 1, product: 2, bcd: 3) + [9], DescriptorParser.ParseError.truncatedHeader(offset: 18)),
        ([1, 1], .lengthTooSmall(offset: 0, length: 1)),
        ([18, 1, 0, 0], .lengthBeyondEnd(offset: 0, length: 18, available: 4)),
        ([8, 1, 0, 0, 0, 0, 0, 0], .unexpectedSize(offset: 0, type: 1, length: 8)),
        ([9, 2, 0, 0, 0, 0, 0, 0, 0], .orphanDescriptor(offset: 0, type: 2)),
        ([], .missingDeviceDescriptor),
    ] as [([UInt8], DescriptorParser.ParseError)])
    func malformedBlobsAreRefusedWithTheOffset(blob: [UInt8], expected: DescriptorParser.ParseError) {
        #expect(throws: expected) { try DescriptorParser.parse(blob) }
    }

    @Test func aSecondDeviceDescriptorIsRefused() {
        let device = Descriptors.device(vendor: 1, product: 2, bcd: 3)
        #expect(throws: DescriptorParser.ParseError.duplicateDeviceDescriptor(offset: 18)) {
            try DescriptorParser.parse(device + device)
        }
    }

    @Test func anInterfaceWithoutConfigurationIsRefused() {
        let blob = Descriptors.device(vendor: 1, product: 2, bcd: 3) + Descriptors.interface(0, 8, 6, 0x50)
        #expect(throws: DescriptorParser.ParseError.orphanDescriptor(offset: 18, type: 4)) {
            try DescriptorParser.parse(blob)
        }
    }

    @Test func anEndpointOfAnOddSizeIsRefused() {
        let blob = Descriptors.device(vendor: 1, product: 2, bcd: 3) + Descriptors.configuration(interfaces: 1)
            + Descriptors.interface(0, 8, 6, 0x50) + [8, 5, 0x81, 2, 0, 2, 0, 0]
        #expect(throws: DescriptorParser.ParseError.unexpectedSize(offset: 36, type: 5, length: 8)) {
            try DescriptorParser.parse(blob)
        }
    }
}
