import Crypto
import FoundationEssentials

/// The envelopes central has not acknowledged, carried on a technician's medium from a station
/// without a network (`nazoratctl export-bundle DIR`, `nazorat-central import DIR`): one file
/// per envelope, exactly as the outbox stores it, and a manifest signed by the station key
/// naming each file with its SHA-256. docs/central-protocol.md, "Offline bundles".
public enum OfflineBundle {
    /// The manifest's file name in the bundle directory.
    public static let manifestName = "manifest.json"
    /// The manifest envelope's kind (its payload type is `application/vnd.nazorat.bundle-manifest+json`).
    public static let manifestKind = "bundle-manifest"

    /// The manifest's payload.
    public struct Manifest: Codable, Sendable, Equatable {
        public struct File: Codable, Sendable, Equatable {
            public var name: String
            public var seq: Int64
            /// SHA-256 of the file's bytes, hex.
            public var sha256: String

            public init(name: String, seq: Int64, sha256: String) {
                self.name = name
                self.seq = seq
                self.sha256 = sha256
            }
        }

        public var station: String
        public var kind = OfflineBundle.manifestKind
        public var createdUsec: Int64
        /// The first and last envelope seq, and how many: the envelopes are contiguous.
        public var first: Int64
        public var last: Int64
        public var count: Int
        public var files: [File]

        public init(station: String, createdUsec: Int64, files: [File]) {
            self.station = station
            self.createdUsec = createdUsec
            self.files = files
            first = files.first?.seq ?? 0
            last = files.last?.seq ?? 0
            count = files.count
        }
    }

    /// A bundle as the control API hands it to nazoratctl: the files' names and exact contents.
    public struct Contents: Codable, Sendable, Equatable {
        public struct File: Codable, Sendable, Equatable {
            public var name: String
            public var content: String

            public init(name: String, content: String) {
                self.name = name
                self.content = content
            }
        }

        /// The signed manifest, as the text of `manifest.json`.
        public var manifest: String
        /// The envelopes, one file each, in seq order.
        public var files: [File]

        public init(manifest: String, files: [File]) {
            self.manifest = manifest
            self.files = files
        }
    }

    /// The file name of envelope `seq`: `envelope-000000000042.json` (names sort in seq order).
    public static func fileName(seq: Int64) -> String {
        let digits = String(seq)
        return "envelope-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".json"
    }

    /// SHA-256 of `bytes`, hex.
    public static func digest(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }
}
