import Crypto
import FoundationEssentials
import NazoratCore

/// Central's judgement of envelopes: signature by the enrolled station key, sequence
/// without gaps, an event chain that extends the head central has. One batch at a time (an
/// actor), each batch in one transaction with the station's new state.
actor Receiver {
    private let store: CentralStore
    /// Enrolled keys, parsed: by their base64 text, so that a new key is a new entry.
    private var keys: [String: Curve25519.Signing.PublicKey] = [:]
    /// How far a station's wall clock may move against its monotonic clock between two
    /// heartbeats of one boot before it counts as a jump.
    static let jumpTolerance: Int64 = 60_000_000

    init(store: CentralStore) {
        self.store = store
    }

    /// Why an envelope was refused: the code central answers with, and its HTTP status.
    struct Refusal: Error, Equatable {
        enum Code: String {
            case malformed, unknownStation = "unknown-station", retired, badSignature = "bad-signature", gap,
                 chainBroken = "chain-broken", conflict
            /// Not a refusal of the envelope: central's own database failed (the uplink retries).
            case storage
        }

        let code: Code
        let message: String

        var status: Int {
            switch code {
            case .malformed: 400
            case .unknownStation, .retired, .badSignature: 403
            case .gap, .chainBroken, .conflict: 409
            case .storage: 503
            }
        }
    }

    /// What a batch came to: the station, the highest contiguous seq accepted, how many
    /// were repeats, and the refusal that stopped it, if any.
    struct Outcome: Equatable {
        var station: String?
        var accepted: Int64?
        var duplicates = 0
        var refusal: Refusal?
    }

    /// Judges `envelopes` in order in one transaction (one commit for the batch); stops at
    /// the first refusal, which is recorded with what came before it. A storage failure
    /// rolls the whole batch back: nothing is acknowledged, the uplink sends it again.
    func receive(_ envelopes: [Envelope], now: Int64) -> Outcome {
        do {
            return try store.transaction { transaction in
                var outcome = Outcome()
                // The batch's stations as the batch leaves them (one station, by the protocol).
                var records: [String: StationRecord] = [:]
                for envelope in envelopes {
                    let text = JSONText.encode(envelope)
                    do {
                        let (record, duplicate) = try judge(envelope, text: text, now: now, batchStation: outcome.station,
                                                            in: transaction, records: &records)
                        outcome.station = record.station
                        outcome.accepted = record.acceptedSeq
                        if duplicate { outcome.duplicates += 1 }
                    } catch let error where !Self.isStorage(error) {
                        let refusal = Self.refusal(for: error)
                        let header = Self.header(of: envelope)
                        let record = try header.flatMap { try records[$0.station] ?? transaction.station($0.station) }
                        try transaction.reject(station: header?.station, generation: record?.generation, seq: header?.seq,
                                               reason: refusal.code.rawValue, envelope: text, now: now)
                        outcome.station = outcome.station ?? header?.station
                        outcome.accepted = outcome.accepted ?? record?.acceptedSeq
                        outcome.refusal = refusal
                        return outcome
                    }
                }
                return outcome
            }
        } catch {
            return Outcome(refusal: Refusal(code: .storage, message: "central's storage failed: \(error)"))
        }
    }

    private static func isStorage(_ error: any Error) -> Bool {
        !(error is Refusal) && !(error is DecodingError)
    }

    /// A judgement's error as the answer: a payload that does not decode as its kind is
    /// malformed (and recorded, like every refusal); anything else is central's own storage.
    private static func refusal(for error: any Error) -> Refusal {
        switch error {
        case let refusal as Refusal: refusal
        case is DecodingError: Refusal(code: .malformed, message: "the payload does not decode as its kind: \(error)")
        default: Refusal(code: .storage, message: "central's storage failed: \(error)")
        }
    }

    /// The unverified header: only to find the station whose key must verify the rest.
    static func header(of envelope: Envelope) -> EnvelopeHeader? {
        Data(base64Encoded: envelope.payload).flatMap { try? JSONDecoder().decode(EnvelopeHeader.self, from: $0) }
    }

    /// The station's enrolled key, parsed once per key (a re-enrolment brings another text).
    private func key(of record: StationRecord) -> Curve25519.Signing.PublicKey? {
        if let key = keys[record.publicKey] { return key }
        guard let data = Data(base64Encoded: record.publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data) else { return nil }
        keys[record.publicKey] = key
        return key
    }

    /// `batchStation`: the station of the batch's envelopes before this one, if any.
    private func judge(_ envelope: Envelope, text: String, now: Int64, batchStation: String?,
                       in transaction: CentralTransaction,
                       records: inout [String: StationRecord]) throws -> (StationRecord, duplicate: Bool) {
        // The payload decoded once: its header names the station whose key must verify it.
        guard let decoded = Data(base64Encoded: envelope.payload),
              let header = try? JSONDecoder().decode(EnvelopeHeader.self, from: decoded) else {
            throw Refusal(code: .malformed, message: "the payload is not a Nazorat envelope payload")
        }
        if let batchStation, header.station != batchStation {
            throw Refusal(code: .malformed, message: "a batch holds one station's envelopes: "
                          + "\(DeviceString(header.station).escaped(limit: 64)) after \(batchStation)")
        }
        guard var record = try records[header.station] ?? transaction.station(header.station) else {
            throw Refusal(code: .unknownStation, message: "station \(DeviceString(header.station).escaped(limit: 64)) is not enrolled")
        }
        guard let key = key(of: record), envelope.isSigned(Array(decoded), by: key) else {
            throw Refusal(code: .badSignature, message: "the signature does not verify with \(record.station)'s enrolled key")
        }
        // After the signature: a forgery in a retired station's name is a forgery.
        guard record.retiredUsec == nil else {
            throw Refusal(code: .retired, message: "station \(record.station) is retired; enroll it again to receive from it")
        }
        let payload = decoded
        guard envelope.payloadType == EnvelopeHeader.payloadType(kind: header.kind) else {
            throw Refusal(code: .malformed, message: "payload type \(envelope.payloadType) does not match kind \(header.kind)")
        }
        if header.seq <= record.acceptedSeq {
            let stored = try transaction.storedEnvelope(record, seq: header.seq)
                .flatMap { try? JSONDecoder().decode(Envelope.self, from: Data($0.utf8)) }
            guard stored?.payload == envelope.payload else {
                throw Refusal(code: .conflict, message: "seq \(header.seq) was accepted with other content")
            }
            return (record, true)
        }
        guard header.seq == record.acceptedSeq + 1 else {
            throw Refusal(code: .gap, message: "seq \(header.seq) does not follow \(record.acceptedSeq): "
                          + "envelopes \(record.acceptedSeq + 1)...\(header.seq - 1) are missing")
        }
        var reports = CentralTransaction.ReportChange.none
        switch header.kind {
        case "events":
            let batch = try JSONDecoder().decode(EventBatchPayload.self, from: payload)
            try extendChain(&record, with: batch.events)
            let recorded = batch.events.compactMap { ReportRecord(station: record.station, event: $0) }
            if !recorded.isEmpty { reports = .recorded(recorded) }
        case "heartbeat":
            let heartbeat = try JSONDecoder().decode(HeartbeatPayload.self, from: payload)
            if let previous = record.heartbeat.flatMap({ try? JSONDecoder().decode(HeartbeatPayload.self, from: Data($0.utf8)) }),
               previous.bootId == heartbeat.bootId,
               // In Double: the clocks are the station's to state, and Int64 arithmetic on them could trap.
               abs((Double(heartbeat.realtimeUsec) - Double(previous.realtimeUsec))
                   - (Double(heartbeat.monotonicUsec) - Double(previous.monotonicUsec))) > Double(Self.jumpTolerance) {
                record.clockJumps += 1
            }
            record.heartbeat = String(decoding: payload, as: UTF8.self)
            record.heartbeatUsec = now
        case "final-report":
            record.finalReport = String(decoding: payload, as: UTF8.self)
        case "thinned":
            break
        case let kind where PollsReport.Occasion(envelopeKind: kind) != nil:
            let carried = try JSONDecoder().decode(PollsReportPayload.self, from: payload)
            let recovered = try checkReport(carried, kind: kind, record: record, in: transaction)
            reports = .signed(eventSeq: carried.event.seq, envelopeSeq: header.seq, recovered: recovered)
        default:
            throw Refusal(code: .malformed, message: "unknown kind \(DeviceString(header.kind).escaped(limit: 32))")
        }
        record.acceptedSeq = header.seq
        record.lastSeenUsec = now
        try transaction.accept(record, seq: header.seq, kind: header.kind, envelope: text, now: now, reports: reports)
        records[record.station] = record
        return (record, false)
    }

    /// A signed report must be the one the chain recorded: the event it names arrived before
    /// it (the station sends the events first), with the same hash and the same report.
    /// Returns the event when only the stored envelopes had it (to be kept with the report).
    private func checkReport(_ carried: PollsReportPayload, kind: String, record: StationRecord,
                             in transaction: CentralTransaction) throws -> ReportRecord? {
        let (name, station) = ("the \(carried.report.occasion.rawValue) report", record.station)
        let kept = try transaction.report(record, eventSeq: carried.event.seq)
        guard let recorded = try kept ?? transaction.reportInStoredEvents(record, eventSeq: carried.event.seq) else {
            throw Refusal(code: .chainBroken, message: "\(name) names event \(carried.event.seq), which central has not "
                          + "received as a report's event")
        }
        guard PollsReport.Occasion(envelopeKind: kind) == carried.report.occasion, recorded.eventHash == carried.event.hash,
              recorded.occasion == carried.report.occasion, recorded.document == carried.report,
              carried.report.station == station else {
            throw Refusal(code: .conflict, message: "\(name) differs from event \(carried.event.seq) of the chain central holds")
        }
        return kept == nil ? recorded : nil
    }

    /// Checks that `events` continue the chain central has (seq, prev hash, recomputed hash).
    private func extendChain(_ record: inout StationRecord, with events: [ChainedEvent]) throws {
        for carried in events {
            guard let event = carried.event else {
                throw Refusal(code: .chainBroken, message: "event \(carried.seq) has an unknown severity")
            }
            let expectedPrevious = record.eventHash ?? HashChain.genesis(station: record.station)
            guard event.seq == record.eventSeq + 1, event.prevHash == expectedPrevious,
                  HashChain.hash(seq: event.seq, draft: event.draft, prevHash: event.prevHash) == event.hash else {
                throw Refusal(code: .chainBroken, message: "event \(event.seq) does not extend the chain at seq "
                              + "\(record.eventSeq) (\(expectedPrevious.prefix(16))…)")
            }
            record.eventSeq = event.seq
            record.eventHash = event.hash
        }
    }
}
