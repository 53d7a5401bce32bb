import Crypto
import FoundationEssentials
@testable import NazoratCentral
import Testing

/// The national list of stations as a CSV file: what is read, and every way a line is refused.
@Suite struct RegistryFileTests {
    static func key() -> String {
        Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
    }

    private static func parse(_ text: String) -> Result<RegistryFile, RegistryFile.Problems> {
        RegistryFile.parse(Array(text.utf8))
    }

    @Test func quotedFieldsCRLFABOMAndColumnsInAnyOrder() throws {
        let (a, b) = (Self.key(), Self.key())
        let text = "\u{FEFF}public_key,station,region,district,name\r\n"
            + "\(a),TSH-0001,Tashkent,Yunusobod,\"School No. 110, \"\"Amir Temur\"\" St. 4\"\r\n"
            + "\r\n"
            + " \(b) ,SAM-0002, Samarqand ,Urgut,Mahalla centre\n"
        let entries = try Self.parse(text).get().entries
        #expect(entries.map(\.station) == ["TSH-0001", "SAM-0002"])
        #expect(entries[0].name == "School No. 110, \"Amir Temur\" St. 4" && entries[0].line == 2)
        #expect(entries[1].region == "Samarqand" && entries[1].publicKey == b && entries[1].line == 4,
                "an empty line counts; padding is trimmed")
    }

    @Test func aLineBreakInANameIsRefusedAndTheLinesAfterItAreCountedRight() {
        let text = "station,region,district,name,public_key\nA-1,R,D,\"two\nlines\",\(Self.key())\nA-2,R,D,x,bad\n"
        guard case .failure(let problems) = Self.parse(text) else { Issue.record("read"); return }
        #expect(problems.list.map(\.line) == [2, 4])
        #expect(problems.list[0].message.contains(#""two\nlines" holds control"#), "\(problems.list)")
    }

    @Test func everyBadLineIsNamedAndNoneIsKept() {
        let key = Self.key()
        let text = """
            station,region,district,name,public_key
            TSH-0001,Tashkent,Yunusobod,School 1,\(key)
            TSH-0002,Tashkent,Yunusobod,School 2,not-a-key
            TSH-0001,Tashkent,Chilonzor,Again,\(Self.key())
            TSH-0004,Tashkent,Chilonzor,Same key,\(key)
            TSH 0005,Tashkent,Chilonzor,Space,\(Self.key())
            TSH-0006,,Chilonzor,No region,\(Self.key())
            TSH-0007,Tashkent,Chilonzor,School 7, with a comma,\(Self.key())
            TSH-0008,Tashkent,Chilonzor,Bidi\u{202E}name,\(Self.key())
            TSH-0009,Tashkent,Chilonzor,Fine,\(Self.key())
            """
        guard case .failure(let problems) = Self.parse(text) else { Issue.record("a bad file was read"); return }
        #expect(problems.list.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        let messages = problems.list.map(\.message)
        #expect(messages[0].contains("not base64 of 32 bytes"))
        #expect(messages[1].contains("already on line 2") && messages[2].contains("the key on line 2"))
        #expect(messages[3].contains("\"TSH 0005\" must be") && messages[4].contains("has no region"))
        #expect(messages[5].contains("6 fields where the header has 5") && messages[6].contains(#"Bidi\u{202E}name"#))
    }

    @Test(arguments: [
        ("station,region,district,name\n", 1, "missing: public_key"),
        ("station,region,district,name,public_key,phone\n", 1, "unknown: phone"),
        ("", 1, "the file is empty"),
        ("station,region,district,name,public_key\n", 1, "lists no station"),
        ("station,region,district,name,public_key\nA,B,C,\"open,K\n", 2, "never closed"),
        ("station,region,district,name,public_key\nA,B,C,\"x\"y,K\n", 2, "after a closing double quote"),
        ("station,region,district,name,public_key\nA,B,C,x\"y,K\n", 2, "inside an unquoted field"),
        ("station,region,district,name,public_key\rA,B,C,D,K\n", 1, "carriage return without a line feed"),
    ])
    func aFileThatIsNotTheListIsRefusedWithTheLineAndWhy(text: String, line: Int, message: String) {
        guard case .failure(let problems) = Self.parse(text) else { Issue.record("read: \(text)"); return }
        #expect(problems.list.count == 1 && problems.list[0].line == line && problems.list[0].message.contains(message),
                "\(problems.list)")
    }

    @Test func spreadsheetPaddingIsForgivenAndIdsThatArePathsOrOptionsAreNot() throws {
        let text = "station,region,district,name,public_key\n,,,,\n  , , , ,\nA-1, R , D,  \"x, y\" ,\(Self.key())\n"
            + "..,R,D,n,\(Self.key())\n-x,R,D,n,\(Self.key())\n"
        guard case .failure(let problems) = Self.parse(text) else { Issue.record("read"); return }
        #expect(problems.list.map(\.line) == [5, 6], "blank rows skipped, a padded quoted name read: \(problems.list)")
        #expect(problems.list.allSatisfy { $0.message.contains("starting with a letter or a digit") })
        let good = try Self.parse("station,region,district,name,public_key\nA-1, R , D,  \"x, y\" ,\(Self.key())\n").get()
        #expect(good.entries.first?.name == "x, y")
    }

    @Test func bytesThatAreNotUTF8NameTheirLine() {
        let bytes = Array("station,region,district,name,public_key\nA,B,C,D,K\nA,B,".utf8) + [0xC3, 0x28] + Array(",D,K\n".utf8)
        guard case .failure(let problems) = RegistryFile.parse(bytes) else { Issue.record("read"); return }
        #expect(problems.list == [.init(line: 3, message: "the file is not UTF-8 text; save it as UTF-8 CSV")])
    }
}
