import FoundationEssentials
@testable import NazoratCentral
import NazoratCore
import NazoratHTTP

/// One input: the body of `POST /v1/envelopes`, judged by central's own routes and receiver
/// against a fresh copy of a database in which station FUZZ-1 is enrolled. So that the fuzzer reaches
/// the checks behind the signature (kind, sequence, gaps, the event chain), an envelope
/// whose signature's keyid is `sign-me` is signed by this harness with FUZZ-1's key first.
/// The answer is 200 or a 4xx with a JSON error body (never 5xx: the database is healthy);
/// what central then holds as accepted is what it answered.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCentralBatch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = signed(Array(UnsafeBufferPointer(start: data, count: size)))
    let directory = FuzzDatabase.copy()
    defer { FuzzDatabase.remove(directory) }
    do {
        let store = try SQLiteStore(path: directory + "/" + FuzzDatabase.file)
        let routes = CentralRoutes(store: store, receiver: Receiver(database: store),
                                   liveness: Liveness(intervalSeconds: 15, graceSeconds: 30, graceOpenSeconds: 15),
                                   now: { 1_700_000_000_000_000 })
        let response = Blocking.run {
            await routes.route(ControlRequest(method: "POST", target: "/v1/envelopes", body: body, peer: .remote("fuzz")))
        }
        precondition(response.status == 200 || (400..<500).contains(response.status), "status \(response.status)")
        let found = Blocking.run { () async -> Result<StationRecord?, any Error> in
            do { return .success(try await store.station(FuzzStation.id)) } catch { return .failure(error) }
        }
        let held = try found.get()?.acceptedSeq ?? 0
        if let answer = try? JSONDecoder().decode(DeliveryAnswer.self, from: Data(response.body)) {
            precondition(answer.station != FuzzStation.id || (answer.accepted ?? 0) == held,
                         "answered \(answer.accepted ?? 0) accepted, holds \(held)")
        } else {
            precondition((try? JSONDecoder().decode(ErrorDocument.self, from: Data(response.body))) != nil,
                         "an answer that is neither a delivery answer nor an error")
            precondition(held == 0, "a batch refused whole, yet something was accepted")
        }
    } catch {
        preconditionFailure("central's database failed: \(error)")
    }
    return 0
}
