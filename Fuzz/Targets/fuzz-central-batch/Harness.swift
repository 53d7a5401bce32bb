import Crypto
import Dispatch
import FoundationEssentials
import Glibc
@testable import NazoratCentral
import NazoratCore
import Synchronization

/// The station the harness enrols, with a fixed key so that runs are reproducible.
enum FuzzStation {
    static let id = "FUZZ-1"
    static let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    static let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
    /// The keyid that asks the harness to sign an envelope.
    static let signMe = "sign-me"
}

/// `body` with every envelope whose keyid is `sign-me` signed by FUZZ-1's key; unchanged if it
/// is not a batch.
func signed(_ body: [UInt8]) -> [UInt8] {
    guard var batch = try? JSONDecoder().decode(EnvelopeBatch.self, from: Data(body)),
          batch.envelopes.contains(where: { $0.signatures.contains { $0.keyid == FuzzStation.signMe } }) else { return body }
    for index in batch.envelopes.indices where batch.envelopes[index].signatures.contains(where: { $0.keyid == FuzzStation.signMe }) {
        let envelope = batch.envelopes[index]
        guard let payload = Data(base64Encoded: envelope.payload) else { continue }
        batch.envelopes[index] = Envelope.sign(type: envelope.payloadType, payload: Array(payload), key: FuzzStation.key)
    }
    return (try? Array(JSONEncoder().encode(batch))) ?? body
}

/// A directory of its own for each input's database, in memory where the machine has it: a
/// copy of one made once (migrated, FUZZ-1 enrolled), since making each anew took most of
/// an input's time.
enum FuzzDatabase {
    static let file = "central.sqlite"

    /// The made-once database: its directory.
    static let template: String = {
        let directory = fresh()
        do {
            // Closed at the end of the scope: its write-ahead log is then folded into the file.
            let store = try SQLiteStore(path: directory + "/" + file)
            let enrolled = Blocking.run {
                try? await store.enroll([RegistryFile.Entry(station: FuzzStation.id, region: "fuzz", district: "fuzz", name: "",
                                                            publicKey: FuzzStation.publicKey, line: 0)], now: 1)
            }
            guard enrolled != nil else { preconditionFailure("FUZZ-1 could not be enrolled in the template database") }
        } catch {
            preconditionFailure("the template database could not be made: \(error)")
        }
        return directory
    }()

    /// A new directory holding a copy of the template database.
    static func copy() -> String {
        let directory = fresh()
        do {
            try FileManager.default.copyItem(atPath: template + "/" + file, toPath: directory + "/" + file)
        } catch {
            preconditionFailure("the template database could not be copied: \(error)")
        }
        return directory
    }

    static func fresh() -> String {
        let parent = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(parent)/nazorat-fuzz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { preconditionFailure("mkdtemp failed: errno \(errno)") }
        return String(cString: made)
    }

    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs async work to completion from libFuzzer's synchronous callback.
enum Blocking {
    static func run<Value: Sendable>(_ work: @escaping @Sendable () async -> Value) -> Value {
        let result = Mutex<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
