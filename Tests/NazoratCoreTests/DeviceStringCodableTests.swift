import FoundationEssentials
import NazoratCore
import Testing

/// The stored form of device strings: hex, exact bytes, and the older per-byte form still read.
@Suite struct DeviceStringCodableTests {
    private struct Record: Codable, Equatable { var serial: DeviceString }

    @Test func hostileBytesAreStoredAsOneHexStringAndComeBackExactly() throws {
        let hostile = DeviceString(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0x00, 0xFF, 0xE2, 0x80, 0xAE, 0x22, 0x5C])
        let data = try JSONEncoder().encode(Record(serial: hostile))
        #expect(String(decoding: data, as: UTF8.self) == #"{"serial":"1b5b324a00ffe280ae225c"}"#)
        #expect(try JSONDecoder().decode(Record.self, from: data) == Record(serial: hostile))
    }

    @Test func theEmptyStringRoundTrips() throws {
        let data = try JSONEncoder().encode(Record(serial: DeviceString(bytes: [])))
        #expect(try JSONDecoder().decode(Record.self, from: data).serial.bytes.isEmpty)
    }

    @Test func recordsWrittenInTheOlderPerByteFormAreStillRead() throws {
        let old = Data(#"{"serial":{"bytes":[65,0,255]}}"#.utf8)
        #expect(try JSONDecoder().decode(Record.self, from: old).serial.bytes == [65, 0, 255])
    }

    @Test func aStoredValueThatIsNotHexIsRefused() {
        for text in [#"{"serial":"abc"}"#, #"{"serial":"zz"}"#, #"{"serial":{"bytes":[256]}}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Record.self, from: Data(text.utf8)) }
        }
    }
}
