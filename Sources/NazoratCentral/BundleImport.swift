import Crypto
import FoundationEssentials
import NazoratCore

/// `nazorat-central import DIR`: an offline bundle (``OfflineBundle``) applied exactly as if
/// its envelopes had arrived online, by the same ``Receiver``: same checks, same refusals, and
/// what central already holds is a duplicate, not a second copy. Before the receiver sees
/// anything, the bundle itself is checked whole (the manifest's signature by the station's
/// enrolled key, every file present, unchanged and listed); a bundle that fails that leaves
/// central's database untouched.
enum BundleImport {
    /// Why a bundle was refused before any envelope was judged.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// The unverified manifest's station: only to find the key that must verify the rest.
    private struct Claim: Decodable {
        var station: String
        var kind: String
    }

    /// The bundle at `directory`, checked against `store`'s enrolment: its manifest and envelopes.
    static func read(_ directory: String, store: any CentralDatabase) async throws -> (OfflineBundle.Manifest, [Envelope]) {
        let manifestPath = directory + "/" + OfflineBundle.manifestName
        guard let manifestBytes = regularFile(manifestPath) else {
            throw Refusal(description: "\(manifestPath) cannot be read: not a bundle, or the medium is cut short")
        }
        guard let signed = try? JSONDecoder().decode(Envelope.self, from: manifestBytes),
              signed.payloadType == EnvelopeHeader.payloadType(kind: OfflineBundle.manifestKind),
              let claimed = Data(base64Encoded: signed.payload).flatMap({ try? JSONDecoder().decode(Claim.self, from: $0) }),
              claimed.kind == OfflineBundle.manifestKind else {
            throw Refusal(description: "\(manifestPath) is not a bundle manifest")
        }
        let station = DeviceString(claimed.station).escaped(limit: 64)
        guard let record = try await store.station(claimed.station) else {
            throw Refusal(description: "the bundle is station \(station)'s, which is not enrolled here")
        }
        guard let keyBytes = Data(base64Encoded: record.publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes),
              let payload = signed.verifiedPayload(key: key),
              let manifest = try? JSONDecoder().decode(OfflineBundle.Manifest.self, from: Data(payload)) else {
            throw Refusal(description: "the manifest is not signed by \(station)'s enrolled key: changed, another "
                          + "station's, or signed with a key central no longer has (the station was re-enrolled)")
        }
        return (manifest, try envelopes(of: manifest, in: directory))
    }

    /// The most one file of a bundle may hold: what central takes in one request.
    static let fileLimit = 32 << 20

    /// The bytes of `path` if it is a regular file (not a link, a FIFO or a device that a
    /// hostile medium put there) of at most ``fileLimit`` bytes.
    private static func regularFile(_ path: String) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= fileLimit else { return nil }
        return FileManager.default.contents(atPath: path)
    }

    /// The listed files, each present, unchanged, and the envelope the manifest says it is.
    private static func envelopes(of manifest: OfflineBundle.Manifest, in directory: String) throws -> [Envelope] {
        let listed = Set(manifest.files.map(\.name))
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        if let stray = present.subtracting(listed).subtracting([OfflineBundle.manifestName]).sorted().first {
            throw Refusal(description: "\(directory) holds \(DeviceString(stray).escaped(limit: 64)), which the manifest "
                          + "does not list: a bundle directory holds only its manifest and envelopes")
        }
        guard manifest.count == manifest.files.count,
              manifest.files.map(\.seq) == Array(manifest.first..<(manifest.first + Int64(manifest.count))),
              manifest.files.allSatisfy({ $0.name == OfflineBundle.fileName(seq: $0.seq) }) else {
            throw Refusal(description: "the manifest's files are not envelopes \(manifest.first)…\(manifest.last) in order")
        }
        return try manifest.files.map { file in
            guard let bytes = regularFile(directory + "/" + file.name) else {
                throw Refusal(description: "\(file.name) is missing, or not a plain file: the bundle was cut short")
            }
            guard OfflineBundle.digest(Array(bytes)) == file.sha256 else {
                throw Refusal(description: "\(file.name) was changed or cut short: its SHA-256 is not the manifest's")
            }
            guard let envelope = try? JSONDecoder().decode(Envelope.self, from: bytes),
                  let header = Receiver.header(of: envelope), header.station == manifest.station, header.seq == file.seq else {
                throw Refusal(description: "\(file.name) is not envelope \(file.seq) of \(manifest.station)")
            }
            return envelope
        }
    }
}

extension Central {
    /// Imports the bundle at `directory` into central's database; the line to print, or an
    /// error saying why nothing (or what) was accepted.
    package static func importBundle(_ store: any CentralDatabase, directory: String) async throws -> String {
        let manifest: OfflineBundle.Manifest, envelopes: [Envelope]
        do {
            (manifest, envelopes) = try await BundleImport.read(directory, store: store)
        } catch let refusal as BundleImport.Refusal {
            throw CentralError(message: "\(directory): refused, nothing imported: \(refusal)")
        }
        // In batches of 100, as the uplink sends them: a running central's writes wait for
        // one batch's transaction at a time, never for the whole bundle.
        let receiver = Receiver(database: store)
        var outcome = Receiver.Outcome()
        for start in stride(from: 0, to: envelopes.count, by: 100) {
            let step = await receiver.receive(Array(envelopes[start..<min(envelopes.count, start + 100)]), now: nowUsec())
            outcome.station = step.station ?? outcome.station
            outcome.accepted = step.accepted ?? outcome.accepted
            outcome.duplicates += step.duplicates
            outcome.refusal = step.refusal
            if step.refusal != nil { break }
        }
        let range = manifest.count == 0 ? "no envelopes" : "envelopes \(manifest.first)–\(manifest.last) (\(manifest.count))"
        let known = (try? await store.station(manifest.station)) ?? nil
        let through = outcome.accepted ?? known?.acceptedSeq ?? 0
        let held = "central holds \(manifest.station) through envelope \(through)"
        if let refusal = outcome.refusal {
            throw CentralError(message: "\(directory): station \(manifest.station), \(range): refused at "
                               + "\(refusal.code.rawValue): \(refusal.message); \(held)")
        }
        return "\(directory): station \(manifest.station), \(range): \(manifest.count - outcome.duplicates) accepted, "
            + "\(outcome.duplicates) already held; \(held)"
    }
}
