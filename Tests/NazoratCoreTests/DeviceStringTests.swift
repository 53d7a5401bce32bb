import NazoratCore
import Testing

@Suite struct DeviceStringTests {
    private func render(_ bytes: [UInt8], limit: Int = 128) -> String {
        DeviceString(bytes: bytes).escaped(limit: limit)
    }

    @Test func printableASCIIPassesUnchanged() {
        #expect(render(Array("BS-200 Ballot Scanner".utf8)) == "BS-200 Ballot Scanner")
    }

    @Test func quotesBackslashesAndWhitespaceControlsAreEscaped() {
        #expect(render(Array("a\"b\\c\td\ne\rf".utf8)) == #"a\"b\\c\td\ne\rf"#)
    }

    @Test func terminalEscapeSequencesCannotReachTheTerminal() {
        let rendered = render([0x1B] + Array("]0;pwned".utf8) + [0x07, 0x1B] + Array("[2J".utf8) + [0x7F, 0x00])
        #expect(rendered == #"\x1b]0;pwned\x07\x1b[2J\x7f\x00"#)
        #expect(!rendered.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test func invalidUTF8BecomesHexEscapes() {
        // A lone continuation byte, bytes never valid in UTF-8, an overlong "/", an
        // encoded surrogate, and a sequence cut short by the end of the string.
        #expect(render([0x80, 0xFF, 0xFE, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xE2, 0x82])
            == #"\x80\xff\xfe\xc0\xaf\xed\xa0\x80\xe2\x82"#)
    }

    @Test func validUnicodeLettersPass() {
        #expect(render(Array("Кир Ünïcödé 選挙".utf8)) == "Кир Ünïcödé 選挙")
    }

    @Test func invisibleAndReorderingCharactersAreEscaped() {
        // U+202E RIGHT-TO-LEFT OVERRIDE, U+0085 NEXT LINE (C1), U+200B ZERO WIDTH SPACE, U+2028.
        #expect(render(Array("a\u{202E}b\u{85}c\u{200B}d\u{2028}e".utf8))
            == #"a\u{202E}b\u{85}c\u{200B}d\u{2028}e"#)
    }

    @Test func longStringsAreBoundedWithAVisibleMarker() {
        let rendered = render(Array(repeating: UInt8(ascii: "S"), count: 4096), limit: 16)
        #expect(rendered == String(repeating: "S", count: 16) + "…(+4080 bytes)")
    }

    @Test func theBoundNeverSplitsACharacter() {
        // "ab" + "Ж" (2 bytes): with a limit of 3 the letter does not fit and is not half-shown.
        #expect(render(Array("abЖ".utf8), limit: 3) == "ab…(+2 bytes)")
    }

    @Test func theRawBytesAreKept() {
        let bytes: [UInt8] = [0x1B, 0xFF, 0x00, 0x41]
        #expect(DeviceString(bytes: bytes).bytes == bytes)
    }
}
