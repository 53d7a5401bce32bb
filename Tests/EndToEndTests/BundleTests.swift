import Foundation
import GRDB
import Testing

/// Offline bundles: nazoratctl export-bundle on a station whose uplink cannot reach central,
/// nazorat-central import of the directory, and every way the medium can go wrong on the way.
@Suite(.serialized) struct BundleTests {
    private let station = "TEST-0006"

    /// A station with an [uplink] table (central at `port`, nothing listening unless the test
    /// starts it) and at least three envelopes waiting; its bundle in a fresh directory.
    private func stationWithBundle(port: Int = 9) async throws -> (ControlHarness, bundle: String, key: String) {
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(port)"))
        try await eventually("three envelopes in the outbox") { try harness.heads().envelope >= 3 }
        let bundle = try Paths.temporaryDirectory() + "/bundle"
        let export = try harness.nazoratctl(["export-bundle", bundle])
        try #require(export.status == 0, "\(export.stderr)")
        #expect(export.stdoutText.contains("manifest.json; at central: nazorat-central import"))
        let key = try #require(try harness.request("GET", "/v1/key").json()["publicKey"] as? String)
        return (harness, bundle, key)
    }

    private func central(_ arguments: [String]) throws -> Completed {
        try runToCompletion(Paths.products + "/nazorat-central", arguments, environment: [:])
    }

    /// A central state directory with `station` enrolled with `key`.
    private func enrolled(_ key: String, as station: String? = nil) throws -> String {
        let directory = try Paths.temporaryDirectory()
        let result = try central(["enroll", "--state-dir", directory, station ?? self.station, key])
        try #require(result.status == 0, "\(result.stderr)")
        return directory
    }

    private func acceptedSeq(_ directory: String) throws -> Int {
        try DatabaseQueue(path: directory + "/central.db").read {
            try Int.fetchOne($0, sql: "SELECT accepted_seq FROM stations WHERE station = ?", arguments: [station])
        } ?? -1
    }

    private func stored(_ directory: String) throws -> (envelopes: Int, rejections: Int) {
        try DatabaseQueue(path: directory + "/central.db").read {
            (try Int.fetchOne($0, sql: "SELECT count(*) FROM envelopes") ?? 0,
             try Int.fetchOne($0, sql: "SELECT count(*) FROM rejections") ?? 0)
        }
    }

    private func manifest(_ bundle: String) throws -> [String: Any] {
        let signed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle + "/manifest.json")))
        let text = try #require((signed as? [String: Any])?["payload"] as? String)
        let payload = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
    }

    @Test func importAppliesTheBundleOnceAndRecordsWhoExportedIt() async throws {
        let (harness, bundle, key) = try await stationWithBundle()
        let manifest = try manifest(bundle)
        let last = try #require(manifest["last"] as? Int)
        let files = try FileManager.default.contentsOfDirectory(atPath: bundle).sorted()
        #expect(files.count == (manifest["count"] as? Int ?? 0) + 1 && files.last == "manifest.json")
        let events = try harness.request("GET", "/v1/events?after=0&limit=1000").text
        #expect(events.contains("\"type\":\"bundle.exported\"") && events.contains("offline bundle exported: envelopes 1–\(last)"))

        let centralDirectory = try enrolled(key)
        let first = try central(["import", "--state-dir", centralDirectory, bundle])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdoutText.contains("station TEST-0006, envelopes 1–\(last) (\(last)): \(last) accepted, 0 already held"))
        #expect(try acceptedSeq(centralDirectory) == last)
        let again = try central(["import", "--state-dir", centralDirectory, bundle])
        #expect(again.status == 0 && again.stdoutText.contains(": 0 accepted, \(last) already held"), "\(again.stdoutText)")
        #expect(try stored(centralDirectory) == (last, 0), "each envelope once, nothing refused")
    }

    @Test func onlyAnAdministratorExportsAndAStationWithoutAnUplinkHasNothingToExport() async throws {
        try Users.ensure()
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:9"))
        #expect(try harness.request(as: Users.technician, "POST", "/v1/outbox/bundle") == 403)
        #expect(try harness.request(as: Users.uplink, "POST", "/v1/outbox/bundle") == 403, "the uplink carries, it does not export")
        #expect(try harness.request(as: Users.administrator, "POST", "/v1/outbox/bundle") == 200)
        let plain = try await ControlHarness()
        let refused = try plain.nazoratctl(["export-bundle", try Paths.temporaryDirectory() + "/bundle"])
        #expect(refused.status == 1 && refused.stderr.contains("no [uplink] table"), "\(refused.stderr)")
        let occupied = try Paths.temporaryDirectory()
        try Data("x".utf8).write(to: URL(fileURLWithPath: occupied + "/other"))
        let notEmpty = try harness.nazoratctl(["export-bundle", occupied])
        #expect(notEmpty.status == 1 && notEmpty.stderr.contains("is not an empty directory"), "\(notEmpty.stderr)")
    }

    @Test func importedThenDeliveredOnlineDuplicatesNothing() async throws {
        let server = try await CentralProcess()
        let (harness, bundle, key) = try await stationWithBundle(port: server.port)
        try server.enroll(station, key: key)
        let imported = try central(["import", "--state-dir", server.directory, bundle])
        #expect(imported.status == 0, "\(imported.stderr)")
        let uplink = try harness.startUplink(enrollingAt: nil)
        defer { _ = uplink.stop(SIGKILL) }
        try await eventually("the uplink caught up") {
            let outbox = try harness.request("GET", "/v1/outbox").json()
            return (outbox["envelopes"] as? [Any])?.isEmpty == true && (outbox["acknowledgedThrough"] as? Int ?? 0) > 0
        }
        let accepted = try server.acceptedSeq(station)
        #expect(try stored(server.directory) == (accepted, 0), "no gap, no duplicate, no conflict")
    }

    @Test func aChangedCutOrPaddedBundleIsRefusedWholeAndCentralIsUnchanged() async throws {
        let (_, bundle, key) = try await stationWithBundle()
        let centralDirectory = try enrolled(key)
        let envelope = bundle + "/envelope-000000000002.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: envelope))
        let cases: [(String, () throws -> Void, () throws -> Void)] = [
            ("was changed or cut short", { try Data(original.dropLast(7)).write(to: URL(fileURLWithPath: envelope)) },
             { try original.write(to: URL(fileURLWithPath: envelope)) }),
            ("was changed or cut short", {
                var changed = original
                changed[changed.count / 2] ^= 0x01
                try changed.write(to: URL(fileURLWithPath: envelope))
             }, { try original.write(to: URL(fileURLWithPath: envelope)) }),
            ("is missing: the bundle was cut short", { try FileManager.default.removeItem(atPath: envelope) },
             { try original.write(to: URL(fileURLWithPath: envelope)) }),
            ("which the manifest does not list", { try Data("{}".utf8).write(to: URL(fileURLWithPath: bundle + "/extra.json")) },
             { try FileManager.default.removeItem(atPath: bundle + "/extra.json") }),
            ("manifest.json cannot be read", {
                try FileManager.default.moveItem(atPath: bundle + "/manifest.json", toPath: bundle + "/../manifest.json")
             }, { try FileManager.default.moveItem(atPath: bundle + "/../manifest.json", toPath: bundle + "/manifest.json") }),
        ]
        for (reason, damage, repair) in cases {
            try damage()
            let result = try central(["import", "--state-dir", centralDirectory, bundle])
            #expect(result.status == 1 && result.stderr.contains("refused, nothing imported") && result.stderr.contains(reason),
                    "\(reason): \(result.stderr)")
            try repair()
        }
        #expect(try acceptedSeq(centralDirectory) == 0 && stored(centralDirectory) == (0, 0), "central unchanged")
        let repaired = try central(["import", "--state-dir", centralDirectory, bundle])
        #expect(repaired.status == 0, "the intact bundle still imports: \(repaired.stderr)")
    }

    @Test func anotherStationsBundleAndOneSignedByARetiredKeyAreRefused() async throws {
        let (_, bundle, key) = try await stationWithBundle()
        let elsewhere = try enrolled(key, as: "TEST-9999")
        let foreign = try central(["import", "--state-dir", elsewhere, bundle])
        #expect(foreign.status == 1 && foreign.stderr.contains("station TEST-0006's, which is not enrolled here"), "\(foreign.stderr)")

        // The station re-enrolled with a new key since it wrote the bundle.
        let reenrolled = try enrolled(key)
        let newKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        #expect(try central(["enroll", "--state-dir", reenrolled, station, newKey]).status == 0)
        let stale = try central(["import", "--state-dir", reenrolled, bundle])
        #expect(stale.status == 1 && stale.stderr.contains("not signed by TEST-0006's enrolled key"), "\(stale.stderr)")
        #expect(try stored(reenrolled) == (0, 0))
    }
}
