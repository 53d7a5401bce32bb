import Crypto
import FoundationEssentials
import Logging
import NazoratCore

/// Central's judgement of envelopes: signature by the enrolled station key, sequence
/// without gaps, an event chain that extends the head central has. Each batch is judged in
/// one transaction of the store (``CentralDatabase/batch(headers:now:_:)``) with the station's
/// new state, the station locked meanwhile: batches of one station, through one central
/// process or several, are judged one after the other (PostgreSQL judges other stations'
/// meanwhile; SQLite's one writer takes every batch in turn).
struct Receiver: Sendable {
    let database: any CentralDatabase
    /// Where a storage failure's detail goes: the answer says only that storage failed (the
    /// detail names the database's host and user, which a station has no business knowing).
    let logger: Logger
    /// Enrolled keys, parsed: by their base64 text, so that a new key is a new entry.
    private let keys = KeyCache()
    /// How far a station's wall clock may move against its monotonic clock between two
    /// heartbeats of one boot before it counts as a jump.
    static let jumpTolerance: Int64 = 60_000_000

    init(database: any CentralDatabase, logger: Logger = Logger(label: "nazorat-central")) {
        self.database = database
        self.logger = logger
    }

    /// An envelope as it came, its payload and header decoded once; before the transaction
    /// (off the store's one writer, each request on its own thread), its signature checked
    /// with the key its station last had here, and a heartbeat decoded.
    struct Arrival: Sendable {
        var envelope: Envelope
        var text: String
        var payload: Data?
        var header: EnvelopeHeader?
        /// The key text the signature was checked with, and whether it verified: the
        /// judgement checks again only if the station's enrolled key is another.
        var checked: (key: String, verified: Bool)?
        var heartbeat: HeartbeatPayload?

        /// `keys`: nil to leave every check to the judgement.
        init(_ envelope: Envelope, keys: KeyCache?) {
            self.envelope = envelope
            text = JSONText.encode(envelope)
            payload = Data(base64Encoded: envelope.payload)
            header = payload.flatMap { try? JSONDecoder().decode(EnvelopeHeader.self, from: $0) }
            guard let keys, let payload, let header, let station, let last = keys.lastKey(of: station) else { return }
            checked = (last.text, envelope.isSigned(Array(payload), by: last.key))
            if checked?.verified == true, header.kind == "heartbeat" {
                heartbeat = try? JSONDecoder().decode(HeartbeatPayload.self, from: payload)
            }
        }

        /// The header's station, if it is an id the registry could hold: another (a NUL, a
        /// path, 10,000 bytes) names no station and goes nowhere near a database (PostgreSQL
        /// refuses a NUL in text outright).
        var station: String? {
            header.flatMap { RegistryRules.stationProblem($0.station) == nil ? $0.station : nil }
        }
    }

    /// Judges `envelopes` in order in one transaction (one commit for the batch); stops at
    /// the first refusal, which is recorded with what came before it. A storage failure
    /// rolls the whole batch back: nothing is acknowledged, the uplink sends it again.
    func receive(_ envelopes: [Envelope], now: Int64) async -> Outcome {
        // Checked ahead while they verify: the judgement stops at the first refusal, so a
        // batch of forgeries costs one check, not one each.
        var checkedAhead: [Arrival] = [], ahead = true
        for envelope in envelopes {
            let arrival = Arrival(envelope, keys: ahead ? keys : nil)
            ahead = arrival.checked?.verified == true
            checkedAhead.append(arrival)
        }
        let arrivals = checkedAhead
        do {
            let headers = arrivals.compactMap { $0.station == nil ? nil : $0.header }
            return try await database.batch(headers: headers, now: now) { [keys] ledger in
                try Self.judge(arrivals, keys: keys, ledger: &ledger)
            }
        } catch {
            logger.error("a batch was not kept: central's storage failed: \(error)")
            return Outcome(refusal: Self.storageFailed)
        }
    }

    private static func judge(_ arrivals: [Arrival], keys: KeyCache, ledger: inout BatchLedger) throws -> Outcome {
        var outcome = Outcome()
        for arrival in arrivals {
            do {
                let (record, duplicate) = try judge(arrival, batchStation: outcome.station, keys: keys, ledger: &ledger)
                outcome.station = record.station
                outcome.accepted = record.acceptedSeq
                if duplicate { outcome.duplicates += 1 }
            } catch let error where !isStorage(error) {
                let refusal = refusal(for: error)
                let header = arrival.header
                let record = try arrival.station.flatMap { try ledger.station($0) }
                // The id as it came, escaped unless it is one the registry could hold.
                let station = arrival.station ?? header.map { DeviceString($0.station).escaped(limit: 64) }
                ledger.reject(station: station, generation: record?.generation, seq: header?.seq,
                              reason: refusal.code.rawValue, envelope: arrival.text)
                outcome.station = outcome.station ?? station
                outcome.accepted = outcome.accepted ?? record?.acceptedSeq
                outcome.refusal = refusal
                return outcome
            }
        }
        return outcome
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
        default: storageFailed
        }
    }

    /// The unverified header: only to find the station whose key must verify the rest.
    static func header(of envelope: Envelope) -> EnvelopeHeader? {
        Data(base64Encoded: envelope.payload).flatMap { try? JSONDecoder().decode(EnvelopeHeader.self, from: $0) }
    }

    /// `batchStation`: the station of the batch's envelopes before this one, if any.
    private static func judge(_ arrival: Arrival, batchStation: String?, keys: KeyCache,
                              ledger: inout BatchLedger) throws -> (StationRecord, duplicate: Bool) {
        let envelope = arrival.envelope
        // The header names the station whose key must verify the payload.
        guard let payload = arrival.payload, let header = arrival.header else {
            throw Refusal(code: .malformed, message: "the payload is not a Nazorat envelope payload")
        }
        if let batchStation, header.station != batchStation {
            throw Refusal(code: .malformed, message: "a batch holds one station's envelopes: "
                          + "\(DeviceString(header.station).escaped(limit: 64)) after \(batchStation)")
        }
        guard let station = arrival.station, var record = try ledger.station(station) else {
            throw Refusal(code: .unknownStation, message: "station \(DeviceString(header.station).escaped(limit: 64)) is not enrolled")
        }
        let verified = arrival.checked.flatMap { $0.key == record.publicKey ? $0.verified : nil }
            ?? keys.key(of: record).map { envelope.isSigned(Array(payload), by: $0) } ?? false
        guard verified else {
            throw Refusal(code: .badSignature, message: "the signature does not verify with \(record.station)'s enrolled key")
        }
        keys.remember(record)
        // After the signature: a forgery in a retired station's name is a forgery.
        guard record.retiredUsec == nil else {
            throw Refusal(code: .retired, message: "station \(record.station) is retired; enroll it again to receive from it")
        }
        guard envelope.payloadType == EnvelopeHeader.payloadType(kind: header.kind) else {
            throw Refusal(code: .malformed, message: "payload type \(envelope.payloadType) does not match kind \(header.kind)")
        }
        if header.seq <= record.acceptedSeq {
            let stored = try ledger.storedEnvelope(record, seq: header.seq)
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
        var reports = BatchLedger.ReportChange.none
        switch header.kind {
        case "events":
            let batch = try JSONDecoder().decode(EventBatchPayload.self, from: payload)
            try extendChain(&record, with: batch.events)
            let recorded = batch.events.compactMap { ReportRecord(station: record.station, event: $0) }
            if !recorded.isEmpty { reports = .recorded(recorded) }
        case "heartbeat":
            let heartbeat = try arrival.heartbeat ?? JSONDecoder().decode(HeartbeatPayload.self, from: payload)
            // Only the previous one's clocks: its text was checked whole when it came.
            if let previous = record.heartbeat.flatMap({ try? JSONDecoder().decode(HeartbeatClocks.self, from: Data($0.utf8)) }),
               previous.bootId == heartbeat.bootId,
               // In Double: the clocks are the station's to state, and Int64 arithmetic on them could trap.
               abs((Double(heartbeat.realtimeUsec) - Double(previous.realtimeUsec))
                   - (Double(heartbeat.monotonicUsec) - Double(previous.monotonicUsec))) > Double(Self.jumpTolerance) {
                record.clockJumps += 1
            }
            record.heartbeat = String(decoding: payload, as: UTF8.self)
            record.heartbeatUsec = ledger.now
        case "final-report":
            record.finalReport = String(decoding: payload, as: UTF8.self)
        case "thinned":
            break
        case let kind where PollsReport.Occasion(envelopeKind: kind) != nil:
            let carried = try JSONDecoder().decode(PollsReportPayload.self, from: payload)
            let recovered = try checkReport(carried, kind: kind, record: record, in: ledger)
            reports = .signed(eventSeq: carried.event.seq, envelopeSeq: header.seq, recovered: recovered)
        default:
            throw Refusal(code: .malformed, message: "unknown kind \(DeviceString(header.kind).escaped(limit: 32))")
        }
        record.acceptedSeq = header.seq
        record.lastSeenUsec = ledger.now
        ledger.accept(record, seq: header.seq, kind: header.kind, envelope: arrival.text, reports: reports)
        return (record, false)
    }

    /// A signed report must be the one the chain recorded: the event it names arrived before
    /// it (the station sends the events first), with the same hash and the same report.
    /// Returns the event when only the stored envelopes had it (to be kept with the report).
    private static func checkReport(_ carried: PollsReportPayload, kind: String, record: StationRecord,
                                    in ledger: BatchLedger) throws -> ReportRecord? {
        let (name, station) = ("the \(carried.report.occasion.rawValue) report", record.station)
        let kept = try ledger.report(record, eventSeq: carried.event.seq)
        guard let recorded = try kept ?? ledger.reportInStoredEvents(record, eventSeq: carried.event.seq) else {
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
    private static func extendChain(_ record: inout StationRecord, with events: [ChainedEvent]) throws {
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

/// What the judgement reads of a station's previous heartbeat.
private struct HeartbeatClocks: Decodable {
    var bootId: String
    var realtimeUsec: Int64
    var monotonicUsec: Int64
}
