import Crypto
import Dispatch
import FoundationEssentials
import Glibc
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

/// A directory of its own for each input's database, in memory where the machine has it.
enum FuzzDatabase {
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
