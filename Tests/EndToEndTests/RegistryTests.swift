import Crypto
import Foundation
import GRDB
import NazoratCore
import NazoratTestbed
import Testing

/// nazorat-central's station registry end to end: the national list enrolled from CSV (all
/// or nothing), counted by region, a station retired, a replaced station computer.
@Suite(.serialized) struct RegistryTests {
    private static let header = "station,region,district,name,public_key\n"
    private let central = Paths.products + "/nazorat-central"

    private func key() -> Curve25519.Signing.PrivateKey { Curve25519.Signing.PrivateKey() }

    private func text(_ key: Curve25519.Signing.PrivateKey) -> String { key.publicKey.rawRepresentation.base64EncodedString() }

    /// `store`: `--state-dir DIR` unless given (`--database URL`).
    private func enroll(_ directory: String, csv: String, store: [String]? = nil) throws -> Completed {
        let file = directory + "/stations.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        return try runToCompletion(central, ["enroll"] + (store ?? ["--state-dir", directory]) + ["--csv", file], environment: [:])
    }

    /// A `thinned` envelope of `station` at `seq`, signed with `key`: the smallest valid one.
    private func envelope(_ station: String, seq: Int, key: Curve25519.Signing.PrivateKey) throws -> Any {
        let payload = #"{"station":"\#(station)","seq":\#(seq),"kind":"thinned","createdUsec":0,"thinnedKind":"heartbeat"}"#
        let signed = Envelope.sign(type: EnvelopeHeader.payloadType(kind: "thinned"), payload: Array(payload.utf8), key: key)
        return try JSONSerialization.jsonObject(with: JSONEncoder().encode(signed))
    }

    private func code(_ response: UnixHTTP.Response) throws -> String? {
        (try response.json()["error"] as? [String: Any])?["code"] as? String
    }

    @Test(arguments: CentralStoreKind.allCases)
    func aListWithBadLinesIsRefusedWholeWithTheirNumbers(_ kind: CentralStoreKind) throws {
        let directory = try Paths.temporaryDirectory()
        let database = kind == .postgres ? try TestPostgres.createDatabase() : nil
        let store = try database.map { ["--database", try TestPostgres.url($0)] } ?? ["--state-dir", directory]
        let enrolled = try enroll(directory, csv: Self.header + "TSH-0009,Tashkent,Yunusobod,School 9,\(text(key()))\n",
                                  store: store)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let csv = Self.header + "TSH-0001,Tashkent,Yunusobod,School 1,\(text(key()))\n"
            + "TSH-0002,Tashkent,Yunusobod,School 2,c2hvcnQ=\n"
            + "TSH-0003,Tashkent,Yunusobod,School 3,\(text(key()))\n"
            + "TSH-0003,Tashkent,Chilonzor,School 3 again,\(text(key()))\n"
        let refused = try enroll(directory, csv: csv, store: store)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stations.csv:3: TSH-0002: the public key is not base64 of 32 bytes"), "\(refused.stderr)")
        #expect(refused.stderr.contains("stations.csv:5: station TSH-0003 is already on line 4"))
        #expect(refused.stderr.contains("nothing was enrolled") && !refused.stderr.contains("Error:"), "a sentence, not a trace")
        let count = try database.map { try TestPostgres.psql(database: $0, "SELECT COUNT(*) FROM stations") }
            ?? String(try stationCount(directory))
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "nothing half-applied: only the station enrolled before")
    }

    private func stationCount(_ directory: String) throws -> Int {
        try DatabaseQueue(path: directory + "/central.db").read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM stations") } ?? -1
    }

    @Test func theCountryIsEnrolledAtOnceCountedByRegionRetiredAndReplaced() async throws {
        let directory = try Paths.temporaryDirectory()
        let regions = ["Andijon", "Buxoro", "Farg'ona", "Jizzax", "Namangan", "Navoiy", "Qashqadaryo",
                       "Qoraqalpog'iston", "Samarqand", "Sirdaryo", "Surxondaryo", "Tashkent", "Toshkent viloyati", "Xorazm"]
        let first = key()
        var csv = Self.header + "TSH-00001,Tashkent,Yunusobod,\"School No. 110, Amir Temur St. 4\",\(text(first))\n"
        for index in 2...11_000 {
            csv += "ST-\(index),\(regions[index % regions.count]),District \(index % 15),Station \(index),\(text(key()))\n"
        }
        let started = ContinuousClock.now
        let enrolled = try enroll(directory, csv: csv)
        print("registry: 11,000 stations enrolled from CSV in \(ContinuousClock.now - started) (one process)")
        #expect(enrolled.status == 0 && enrolled.stdoutText.contains(": 11000 new, 0 with a new key"), "\(enrolled.stderr)")

        let server = try await CentralProcess(directory: directory)
        let tally = try UnixHTTP.request(port: server.port, "GET", "/v1/regions").json()
        let national = try #require(tally["national"] as? [String: Any])
        #expect(national["total"] as? Int == 11_000 && (national["states"] as? [String: Any])?["never-seen"] as? Int == 11_000)
        let listed = try #require(tally["regions"] as? [[String: Any]])
        #expect(listed.count == regions.count && listed.compactMap { $0["total"] as? Int }.reduce(0, +) == 11_000)
        #expect((listed.first { $0["region"] as? String == "Tashkent" }?["districts"] as? [Any])?.count == 16, "District 0...14 and Yunusobod")

        #expect(try server.post([try envelope("TSH-00001", seq: 1, key: first)]).status == 200)
        let station = try #require(try server.station("TSH-00001"))
        #expect(station["region"] as? String == "Tashkent" && station["name"] as? String == "School No. 110, Amir Temur St. 4")
        let retire = try runToCompletion(central, ["retire", "--state-dir", directory, "TSH-00001"], environment: [:])
        #expect(retire.status == 0 && retire.stdoutText == "retired TSH-00001\n")
        #expect(try code(server.post([try envelope("TSH-00001", seq: 2, key: first)])) == "retired")
        #expect(try server.station("TSH-00001")?["state"] as? String == "retired")

        // Its computer replaced: the list again with its new key is a new installation.
        let replacement = key()
        let again = try enroll(directory, csv: Self.header + "TSH-00001,Tashkent,Yunusobod,School 110,\(text(replacement))\n")
        #expect(again.stdoutText.contains("0 new, 1 with a new key, 1 with a new region, district or name, 1 no longer retired"),
                "\(again.stdoutText)\(again.stderr)")
        #expect(try code(server.post([try envelope("TSH-00001", seq: 2, key: first)])) == "bad-signature", "the old key")
        let fresh = try server.post([try envelope("TSH-00001", seq: 1, key: replacement)])
        let accepted = try fresh.json()["accepted"] as? Int
        #expect(fresh.status == 200 && accepted == 1, "its sequence starts again")
        #expect(try server.rejections() == ["retired", "bad-signature"])
    }
}
