import Crypto
import NazoratCore
import Testing

/// The verifier against every kind of tampering, on an in-memory log of 2,500 events.
@Suite struct ChainVerifierTests {
    static let station = "TSH-0042"
    static let key = Curve25519.Signing.PrivateKey()
    static var publicKey: String { Checkpoint.sign(station: station, seq: 1, hash: "", key: key).publicKey }

    /// A log of `count` events with checkpoints every 1,000 and at the end.
    static func makeLog(count: Int64 = 2500) -> (events: [Event], checkpoints: [Checkpoint]) {
        var events: [Event] = []
        var checkpoints: [Checkpoint] = []
        for seq in 1...count {
            let draft = EventDraft(type: .deviceAdded, severity: .notice, subject: "1-\(seq % 7)",
                                   message: "device added: \(seq)", payload: #"{"n":\#(seq)}"#,
                                   time: EventTime(realtimeUSec: 1_800_000_000_000_000 + seq, monotonicUSec: seq,
                                                   bootID: "0123456789abcdef0123456789abcdef"))
            let event = HashChain.append(draft, after: events.last.map { ($0.seq, $0.hash) }, station: station)
            events.append(event)
            if seq % Checkpoint.interval == 0 || seq == count {
                checkpoints.append(Checkpoint.sign(station: station, seq: seq, hash: event.hash, key: key))
            }
        }
        return (events, checkpoints)
    }

    /// The verdict on the whole log, which the streaming verification (one event at a time)
    /// must give too: every tampering case below checks both.
    private func verify(_ log: (events: [Event], checkpoints: [Checkpoint]), key: String = publicKey)
        -> Result<ChainVerifier.Summary, ChainVerifier.Failure> {
        let verifier = ChainVerifier(station: Self.station, publicKey: key)
        let whole = verifier.verify(events: log.events, checkpoints: log.checkpoints)
        let streamed = verifier.verify(checkpoints: log.checkpoints, walk: { (body: (Event) -> Bool) in
            for event in log.events where !body(event) { break }
        }, whole: { log.events })
        #expect(streamed == whole, "streamed and whole verification disagree")
        return whole
    }

    private func failure(_ log: (events: [Event], checkpoints: [Checkpoint])) -> ChainVerifier.Failure? {
        if case .failure(let failure) = verify(log) { failure } else { nil }
    }

    @Test func anIntactLogVerifies() throws {
        let log = Self.makeLog()
        let summary = try verify(log).get()
        #expect(summary.events == 2500)
        #expect(summary.checkpoints == 3)
        #expect(summary.head?.seq == 2500)
        #expect(summary.unsignedTail == 0)
    }

    @Test func theGenesisBindsTheStation() {
        let log = Self.makeLog(count: 3)
        let other = ChainVerifier(station: "OTHER", publicKey: Self.publicKey).verify(events: log.events, checkpoints: [])
        guard case .failure(let failure) = other else { Issue.record("a log verified for another station"); return }
        #expect(failure.seq == 1)
    }

    @Test func anEditedRowIsCaughtAtItsSeq() {
        var log = Self.makeLog()
        log.events[1233].draft.payload = #"{"n":9999}"#
        #expect(failure(log) == .init(seq: 1234, kind: .edited, detail: "content does not match its hash"))
    }

    @Test func anEditedAndRehashedRowIsCaughtAtItsSeq() {
        var log = Self.makeLog()
        log.events[1233].draft.message = "nothing happened"
        log.events[1233].hash = HashChain.hash(seq: 1234, draft: log.events[1233].draft, prevHash: log.events[1233].prevHash)!
        #expect(failure(log)?.seq == 1234)
        #expect(failure(log)?.kind == .edited)
    }

    @Test func aDeletedRowIsCaughtAtItsSeq() {
        var log = Self.makeLog()
        log.events.remove(at: 1233)
        #expect(failure(log) == .init(seq: 1234, kind: .deleted, detail: "seq 1234-1234 missing"))
    }

    @Test func aDeletedRowWithRenumberedSuccessorsIsCaughtAtItsSeq() {
        var log = Self.makeLog()
        log.events.remove(at: 1233)
        for index in 1233..<log.events.count { log.events[index].seq -= 1 }
        #expect(failure(log)?.seq == 1234)
        #expect(failure(log)?.kind == .deleted)
    }

    @Test func swappedRowsAreCaughtAsReordered() {
        var log = Self.makeLog()
        log.events.swapAt(1233, 1234)
        log.events[1233].seq = 1234
        log.events[1234].seq = 1235
        #expect(failure(log)?.seq == 1234)
        #expect(failure(log)?.kind == .reordered)
    }

    @Test func anInsertedRowIsCaughtAtItsSeq() {
        var log = Self.makeLog()
        let forged = HashChain.append(
            EventDraft(type: .deviceRemoved, severity: .notice, subject: "1-3", message: "forged", payload: "{}",
                       time: log.events[1232].draft.time),
            after: (log.events[1232].seq, log.events[1232].hash), station: Self.station)
        log.events.insert(forged, at: 1233)
        for index in 1234..<log.events.count { log.events[index].seq += 1 }
        #expect(failure(log)?.seq == 1234)
        #expect(failure(log)?.kind == .inserted)
    }

    @Test func aTruncatedTailAfterACheckpointIsCaught() {
        var log = Self.makeLog()
        log.events.removeLast(600)
        #expect(failure(log) == .init(seq: 1901, kind: .truncated,
                                      detail: "a checkpoint covers seq 2000 but the log ends at 1900"))
    }

    @Test func aLogRewrittenAndResignedWithAnotherKeyIsCaughtAtTheFirstCheckpoint() {
        var log = Self.makeLog()
        let forger = Curve25519.Signing.PrivateKey()
        log.events[499].draft.payload = "{}"
        for index in 499..<log.events.count {
            let prev = index == 0 ? HashChain.genesis(station: Self.station) : log.events[index - 1].hash
            log.events[index].prevHash = prev
            log.events[index].hash = HashChain.hash(seq: log.events[index].seq, draft: log.events[index].draft, prevHash: prev)!
        }
        log.checkpoints = log.checkpoints.map {
            Checkpoint.sign(station: Self.station, seq: $0.seq, hash: log.events[Int($0.seq) - 1].hash, key: forger)
        }
        #expect(failure(log)?.seq == 1000)
        #expect(failure(log)?.kind == .badSignature)
        // The forger's own key would accept it: which is why verify-log takes --key.
        let forgerKey = log.checkpoints[0].publicKey
        #expect((try? verify(log, key: forgerKey).get()) != nil)
    }

    @Test func aCheckpointWhoseHashIsNotTheEventsIsCaught() {
        var log = Self.makeLog()
        log.checkpoints[0] = Checkpoint.sign(station: Self.station, seq: 1000, hash: log.events[998].hash, key: Self.key)
        #expect(failure(log) == .init(seq: 1000, kind: .badSignature, detail: "the signed hash is not the hash of the event"))
    }
}
