import Crypto
import Foundation
import GRDB
import NazoratCore
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
        #expect(events.contains("\"type\":\"bundle.exported\"") && events.contains("offline bundle handed over for export: envelopes 1–\(last) (\(last)) (to uid 0 (root)"))

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

    @Test func aChangedCutStrayOrUnreadableBundleIsRefusedWholeAndCentralIsUnchanged() async throws {
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
            ("is missing, or not a plain file: the bundle was cut short", { try FileManager.default.removeItem(atPath: envelope) },
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

    /// Manifests that verify (central enrolled the key that signed them) but do not describe
    /// a bundle: a name outside the directory, a gap, a count that lies, a link to a device.
    @Test func aSignedManifestThatDoesNotDescribeTheFilesIsRefused() throws {
        let key = Curve25519.Signing.PrivateKey()
        let centralDirectory = try enrolled(key.publicKey.rawRepresentation.base64EncodedString())
        let envelope = JSONText.encode(Envelope.sign(
            type: EnvelopeHeader.payloadType(kind: "thinned"),
            payload: Array(JSONText.encode(ThinnedPayload(station: station, seq: 1, createdUsec: 0, thinnedKind: "heartbeat")).utf8),
            key: key))
        func bundle(_ files: [OfflineBundle.Manifest.File], count: Int? = nil, write: [String: String]) throws -> String {
            let directory = try Paths.temporaryDirectory()
            var manifest = OfflineBundle.Manifest(station: station, createdUsec: 0, files: files)
            manifest.count = count ?? manifest.count
            let signed = JSONText.encode(Envelope.sign(type: EnvelopeHeader.payloadType(kind: OfflineBundle.manifestKind),
                                                       payload: Array(JSONText.encode(manifest).utf8), key: key))
            for (name, text) in write.merging(["manifest.json": signed], uniquingKeysWith: { $1 }) {
                try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
            }
            return directory
        }
        let digest = OfflineBundle.digest(Array(envelope.utf8))
        let one = OfflineBundle.Manifest.File(name: OfflineBundle.fileName(seq: 1), seq: 1, sha256: digest)
        let cases: [(String, String)] = [
            (try bundle([.init(name: "../escape.json", seq: 1, sha256: digest)], write: [:]), "are not envelopes"),
            (try bundle([one, .init(name: OfflineBundle.fileName(seq: 3), seq: 3, sha256: digest)], write: [one.name: envelope]),
             "are not envelopes"),
            (try bundle([one], count: 5, write: [one.name: envelope]), "are not envelopes"),
            (try bundle([.init(name: OfflineBundle.fileName(seq: 2), seq: 2, sha256: digest)],
                        write: [OfflineBundle.fileName(seq: 2): envelope]), "is not envelope 2 of TEST-0006"),
        ]
        for (directory, reason) in cases {
            let result = try central(["import", "--state-dir", centralDirectory, directory])
            #expect(result.status == 1 && result.stderr.contains(reason), "\(reason): \(result.stderr)")
        }
        let linked = try bundle([one], write: [:])
        try FileManager.default.createSymbolicLink(atPath: linked + "/" + one.name, withDestinationPath: "/dev/zero")
        let link = try central(["import", "--state-dir", centralDirectory, linked])
        #expect(link.status == 1 && link.stderr.contains("not a plain file"), "\(link.stderr)")
        #expect(try stored(centralDirectory) == (0, 0))
        let good = try central(["import", "--state-dir", centralDirectory, try bundle([one], write: [one.name: envelope])])
        #expect(good.status == 0 && good.stdoutText.contains("1 accepted"), "the same key, a true manifest: \(good.stderr)")
        let nowhere = try central(["import", "--state-dir", try Paths.temporaryDirectory(), linked])
        #expect(nowhere.status == 1 && nowhere.stderr.contains("holds no central.db"))
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
