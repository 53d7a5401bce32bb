import FoundationEssentials
import NazoratConfiguration
import NazoratControl
import NazoratCore
import NazoratStore

/// The daemon's side of the control API (docs/openapi.yaml): each route names the
/// permission it needs, reads the daemon's state or asks the supervisor for a change.
/// Every change and every refusal is an event naming the peer.
struct ControlRoutes: Sendable {
    let configuration: Configuration
    let board: StatusBoard
    let log: EventLog
    let store: StateStore
    let supervisor: Supervisor
    let enforcer: Enforcer
    let feed: Broadcast<Event>
    let metrics: StationMetrics
    let publicKey: String
    let started: ContinuousClock.Instant
    /// The outbox, when the configuration has an [uplink] table.
    let outbox: Outbox?
    /// Rung when the outbox gains envelopes, for long-polling readers.
    let outboxDoorbell: Broadcast<Void>
    /// Open alarms with their ids, re-read only when the log moved on.
    let openAlarms: OpenAlarmCache

    /// A route: the permission it needs and what it does.
    private struct Route {
        let permission: Permission
        let handle: @Sendable () async -> ControlResponse
    }

    func route(_ request: ControlRequest) async -> ControlResponse {
        let permissions = request.peer.permissions
        guard !permissions.isEmpty else {
            return await refuse(request, "uid \(request.peer.uid) is not in group nazorat (nor nazorat-scanner, nor nazorat-uplink)")
        }
        let route: Route
        switch match(request) {
        case .success(let matched): route = matched
        case .failure(let error): return error.response
        }
        guard permissions.contains(route.permission) else {
            return await refuse(request, "this needs the permission \(route.permission.rawValue)")
        }
        return await route.handle()
    }

    private func refuse(_ request: ControlRequest, _ reason: String) async -> ControlResponse {
        await supervisor.refused("\(request.method) \(request.path)", peer: request.peer, reason: reason)
        return .error(403, code: "forbidden", message: reason)
    }

    // MARK: - Dispatch

    private func match(_ request: ControlRequest) -> Result<Route, ControlResponseError> {
        let (method, segments) = (request.method, request.segments)
        func only(_ allowed: String, _ permission: Permission,
                  _ handle: @escaping @Sendable () async -> ControlResponse) -> Result<Route, ControlResponseError> {
            guard method == allowed else {
                return .failure(ControlResponseError(.error(405, code: "method-not-allowed",
                                                            message: "\(method) is not allowed on \(request.path); use \(allowed)")))
            }
            return .success(Route(permission: permission, handle: handle))
        }
        let path = segments.count >= 2 && segments[0] == "v1" ? Array(segments.dropFirst()) : segments
        let isV1 = segments.first == "v1"
        switch (isV1, path.count, path.first) {
        case (true, 1, "status"):
            return only("GET", .read) { .json(await status()) }
        case (true, 1, "devices"):
            return only("GET", .read) { .json(DeviceList(devices: devices())) }
        case (true, 2, "devices"):
            return only("GET", .read) { device(path[1]) }
        case (true, 3, "devices") where path[2] == "allow" || path[2] == "block":
            let target: Rule.Target = path[2] == "allow" ? .allow : .block
            return only("POST", .administer) { await decide(path[1], target, request) }
        case (true, 1, "alarms"):
            return only("GET", .read) { alarms() }
        case (true, 3, "alarms") where path[2] == "ack":
            return only("POST", .acknowledgeAlarms) { await acknowledge(path[1], request) }
        case (true, 1, "events"):
            return only("GET", .read) { events(request) }
        case (true, 1, "seal"):
            return only("POST", .administer) { await seal(request.peer) }
        case (true, 1, "policy"):
            return only("GET", .read) { policy() }
        case (true, 2, "policy") where path[1] == "generate":
            return only("GET", .read) { generatedPolicy() }
        case (true, 1, "key"):
            return only("GET", .read) { .json(KeyDocument(publicKey: publicKey)) }
        case (true, 2, "log") where path[1] == "verify":
            return only("GET", .read) { verifyLog() }
        case (true, 1, "counters"):
            return only("GET", .read) { .json(countersDocument(board.counters, phase: board.summary.phase)) }
        case (true, 3, "scanners") where path[2] == "counters":
            return only("PUT", .reportCounters) { await reportCounters(path[1], request) }
        case (true, 1, "polls"):
            return only("GET", .read) { .json(PollsDocument(phase: board.summary.phase.rawValue)) }
        case (true, 2, "polls") where path[1] == "open" || path[1] == "close":
            let next: PollsPhase = path[1] == "open" ? .open : .closed
            return only("POST", .administer) { await changePhase(next, request.peer) }
        case (true, 1, "results") where method == "POST":
            return only("POST", .reportCounters) { await submitResults(request) }
        case (true, 1, "results"):
            return only("GET", .read) { finalReport() }
        case (true, 1, "outbox"):
            return only("GET", .outbox) { await outboxEntries(request) }
        case (true, 2, "outbox") where path[1] == "ack":
            return only("POST", .outbox) { await acknowledgeOutbox(request) }
        case (false, 1, "metrics"):
            return only("GET", .read) {
                .text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        default:
            return .failure(ControlResponseError(.error(404, code: "not-found", message: "no such resource: \(request.path)")))
        }
    }

    // MARK: - Reading

    private func status() async -> StatusDocument {
        let summary = board.summary
        let head = await log.currentHead
        let uptime = ContinuousClock.now - started
        let ids = (try? openAlarms.records(head: head?.seq ?? 0)) ?? []
        return StatusDocument(
            station: configuration.station, phase: summary.phase.rawValue, mode: enforcer.mode.rawValue,
            uptime: Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18,
            version: Daemon.version,
            devices: .init(present: summary.present, sealed: summary.sealed, missing: summary.missing,
                           blocked: summary.blocked),
            alarms: ids.map { .init(id: $0.id, kind: $0.alarm.kind, severity: $0.alarm.severity.rawValue,
                                    port: $0.alarm.subject, state: $0.alarm.state.rawValue) },
            log: head.map { .init(seq: $0.seq, hash: $0.hash) },
            storage: .init(state: summary.storageFailure == nil ? "ok" : "failing", reason: summary.storageFailure),
            uplink: await uplinkState(),
            counters: CounterSummary.list(board.counters, phase: summary.phase),
            summary: summary.statusLine)
    }

    private func uplinkState() async -> StatusDocument.Uplink {
        guard let outbox, let summary = try? await outbox.summary() else { return .init(state: "not-configured", outbox: nil) }
        return .init(state: summary.envelopes == 0 ? "delivered" : "pending",
                     outbox: .init(envelopes: summary.envelopes, bytes: summary.bytes, firstSeq: summary.firstSeq,
                                   lastSeq: summary.lastSeq, acknowledgedThrough: summary.acknowledgedThrough))
    }

    private func devices() -> [DeviceDocument] {
        let inventory = board.inventory
        return board.present.map { device in
            let decision = enforcer.decision(for: device)
            let sealed = inventory.map { inventory in
                inventory.items.contains { $0.port == device.port && $0.id == device.id && $0.hash == device.hash }
            }
            return DeviceDocument(device: DeviceJSON(device), role: (decision.role ?? Role.guess(for: device)).rawValue,
                                  decision: decision.target.rawValue, sealed: sealed)
        }
    }

    private func device(_ port: String) -> ControlResponse {
        guard let found = devices().first(where: { $0.device.port == port }) else {
            return .error(404, code: "not-found", message: "no USB device at port \(DeviceString(port).escaped(limit: 64))")
        }
        return .json(found)
    }

    private func alarms() -> ControlResponse {
        do {
            return .json(AlarmList(alarms: try store.openAlarmRecords().map { AlarmDocument(id: $0.id, alarm: $0.alarm) }))
        } catch {
            return .error(503, code: "storage", message: "the alarms cannot be read: \(error)")
        }
    }

    private func events(_ request: ControlRequest) -> ControlResponse {
        guard let after = Int64(request.parameter("after") ?? "0"), after >= 0 else {
            return .error(400, code: "bad-parameter", message: "after must be a seq, 0 or more")
        }
        guard let limit = Int(request.parameter("limit") ?? "100"), (1...1000).contains(limit) else {
            return .error(400, code: "bad-parameter", message: "limit must be 1 to 1000")
        }
        switch request.parameter("follow") {
        case nil, "false", "0":
            do {
                return .json(EventList(events: try store.events(after: after, limit: limit).map(EventDocuments.document)))
            } catch {
                return .error(503, code: "storage", message: "the events cannot be read: \(error)")
            }
        case "true", "1":
            return .streaming(EventDocuments.follow(after: after, store: store, feed: feed),
                              contentType: "application/x-ndjson")
        default:
            return .error(400, code: "bad-parameter", message: "follow must be true or false")
        }
    }

    private func policy() -> ControlResponse {
        let text = (try? String(contentsOfFile: configuration.policy.rulesPath, encoding: .utf8)) ?? ""
        let policy = enforcer.policy
        return .json(PolicyDocument(path: configuration.policy.rulesPath, mode: enforcer.mode.rawValue,
                                    implicit: policy.implicit.rawValue, rules: policy.rules.count, text: text))
    }

    private func generatedPolicy() -> ControlResponse {
        let lines = ["# Generated by nazoratd (GET /v1/policy/generate): one rule per device present now."]
            + board.present.map { RuleWriter.rule(for: $0, viaPort: false, role: Role.guess(for: $0)) }
        return .json(TextDocument(text: lines.joined(separator: "\n") + "\n"))
    }

    private func verifyLog() -> ControlResponse {
        do {
            let check = try LogCheck.run(path: store.path, publicKey: publicKey)
            return .json(VerificationDocument(ok: check.intact, message: check.text))
        } catch {
            return .error(503, code: "storage", message: "the log cannot be read: \(error)")
        }
    }

    // MARK: - Changing

    private func decide(_ port: String, _ target: Rule.Target, _ request: ControlRequest) async -> ControlResponse {
        let body: DecisionRequest
        switch Self.decode(DecisionRequest.self, request.body, empty: DecisionRequest(permanent: false)) {
        case .success(let decoded): body = decoded
        case .failure(let error): return error.response
        }
        guard let device = board.present.first(where: { $0.port == port }) else {
            return .error(404, code: "not-found", message: "no USB device at port \(DeviceString(port).escaped(limit: 64))")
        }
        var rule: String?
        if body.permanent == true {
            let text = RuleWriter.rule(for: device, viaPort: true, role: enforcer.role(of: device), target: target)
            do {
                let policy = try PolicyFile.prepend(text, comment: "added by \(request.peer.description) over the control socket",
                                                    to: configuration.policy)
                enforcer.replace(mode: enforcer.mode, policy: policy)
                rule = text
            } catch {
                return .error(500, code: "policy-write-failed", message: error.description)
            }
        }
        do {
            _ = try await supervisor.override(port: port, target: target, by: request.peer, rule: rule)
        } catch {
            return error.response
        }
        return .json(DecisionDocument(port: port, target: target.rawValue, applied: enforcer.mode == .enforce, rule: rule))
    }

    private func acknowledge(_ id: String, _ request: ControlRequest) async -> ControlResponse {
        guard let alarmID = Int64(id), alarmID > 0 else {
            return .error(400, code: "bad-parameter", message: "an alarm id is a positive integer")
        }
        let body: AcknowledgeRequest
        switch Self.decode(AcknowledgeRequest.self, request.body, empty: nil) {
        case .success(let decoded): body = decoded
        case .failure(let error): return error.response
        }
        let note = body.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(note.count) else {
            return .error(400, code: "bad-note", message: "a note of 1 to 500 characters is required")
        }
        do {
            let alarm = try await supervisor.acknowledge(alarm: alarmID, note: note, by: request.peer)
            return .json(AlarmDocument(id: alarmID, alarm: alarm))
        } catch {
            return error.response
        }
    }

    private func seal(_ peer: Peer) async -> ControlResponse {
        let inventory = await supervisor.seal(by: peer, roles: enforcer.role(of:))
        return .json(SealDocument(sealed: inventory.items.map { .init(port: $0.port, id: $0.id, role: $0.role.rawValue) },
                                  seq: await log.currentHead?.seq))
    }

    // MARK: - Outbox

    private func outboxEntries(_ request: ControlRequest) async -> ControlResponse {
        guard let outbox else {
            return .error(409, code: "not-configured", message: "the configuration has no [uplink] table: no envelopes are made")
        }
        guard let after = Int64(request.parameter("after") ?? "0"), after >= 0,
              let limit = Int(request.parameter("limit") ?? "100"), (1...1000).contains(limit),
              let wait = Int(request.parameter("wait") ?? "0"), (0...60).contains(wait) else {
            return .error(400, code: "bad-parameter", message: "after >= 0, limit 1 to 1000, wait 0 to 60 seconds")
        }
        // Long poll: listen before looking, so that an envelope added in between rings.
        let bell = outboxDoorbell.subscribe()
        do {
            var entries = try await outbox.entries(after: after, limit: limit)
            if entries.isEmpty, wait > 0 {
                await Broadcast.wait(for: bell, timeout: .seconds(wait))
                entries = try await outbox.entries(after: after, limit: limit)
            }
            let items = entries.compactMap { entry in
                (try? JSONDecoder().decode(Envelope.self, from: Data(entry.envelope.utf8))).map {
                    OutboxItem(seq: entry.seq, kind: entry.kind, envelope: $0)
                }
            }
            return .json(OutboxDocument(envelopes: items, acknowledgedThrough: try await outbox.acknowledgedThrough()))
        } catch {
            return .error(503, code: "storage", message: "the outbox cannot be read: \(error)")
        }
    }

    /// The uplink's acknowledgement is not an event: events go to central in envelopes, so
    /// an event per acknowledgement would feed itself forever. The journal has it.
    private func acknowledgeOutbox(_ request: ControlRequest) async -> ControlResponse {
        guard let outbox else {
            return .error(409, code: "not-configured", message: "the configuration has no [uplink] table")
        }
        let ack: OutboxAcknowledgement
        switch Self.decode(OutboxAcknowledgement.self, request.body, empty: nil) {
        case .success(let decoded): ack = decoded
        case .failure(let error): return error.response
        }
        do {
            let summary = try await outbox.summary()
            guard ack.through >= 0, ack.through <= (summary.lastSeq ?? summary.acknowledgedThrough) else {
                return .error(400, code: "bad-parameter", message: "through \(ack.through) is beyond the last envelope")
            }
            try await outbox.acknowledge(through: ack.through)
            return .json(OutboxAcknowledgement(through: max(ack.through, summary.acknowledgedThrough)))
        } catch {
            return .error(503, code: "storage", message: "the acknowledgement could not be written: \(error)")
        }
    }

    // MARK: - Counters and polls

    /// The counters as shown in `phase`: ballot counts only while the polls are open.
    func countersDocument(_ scanners: [String: ScannerRecord], phase: PollsPhase) -> CountersDocument {
        CountersDocument(phase: phase.rawValue, scanners: CounterSummary.list(scanners, phase: phase))
    }

    private func reportCounters(_ port: String, _ request: ControlRequest) async -> ControlResponse {
        let report: CounterReport
        switch Self.decode(CounterReport.self, request.body, empty: nil) {
        case .success(let decoded): report = decoded
        case .failure(let error): return error.response
        }
        let counters = ScannerCounters(publicCount: report.public, protectiveCount: report.protective)
        switch await supervisor.report(counters, port: port, by: request.peer) {
        case .accepted(let changed):
            return .json(CounterReportAnswer(accepted: true, changed: changed))
        case .anomaly(let anomaly, let detail):
            return .error(409, code: anomaly.rawValue, message: detail + "; the values are kept as evidence and an alarm is open")
        case .notDurable:
            return .error(503, code: "storage", message: "the report could not be written; report it again")
        }
    }

    private func changePhase(_ next: PollsPhase, _ peer: Peer) async -> ControlResponse {
        do {
            return .json(PollsDocument(phase: try await supervisor.changePhase(to: next, by: peer).rawValue))
        } catch {
            return error.response
        }
    }

    private func submitResults(_ request: ControlRequest) async -> ControlResponse {
        let submission: ResultsSubmission
        switch Self.decode(ResultsSubmission.self, request.body, empty: nil) {
        case .success(let decoded): submission = decoded
        case .failure(let error): return error.response
        }
        guard !submission.contests.isEmpty, submission.contests.allSatisfy({ $0.totals.values.allSatisfy { $0 >= 0 } }) else {
            return .error(400, code: "bad-results", message: "at least one contest, and no negative total")
        }
        do {
            try await supervisor.submitResults(JSONText.encode(submission), contests: submission.contests.count,
                                               by: request.peer)
            return .json(CounterReportAnswer(accepted: true, changed: true))
        } catch {
            return error.response
        }
    }

    private func finalReport() -> ControlResponse {
        let phase = board.summary.phase
        guard phase == .closed else {
            return .error(409, code: "conflict", message: "the final report exists once the polls close; they are \(phase.rawValue)")
        }
        let contests = (try? store.results()).flatMap { try? JSONDecoder().decode(ResultsSubmission.self, from: Data($0.utf8)) }
        return .json(FinalReportDocument(station: configuration.station, phase: phase.rawValue,
                                         scanners: CounterSummary.list(board.counters, phase: phase),
                                         contests: contests?.contests))
    }

    /// Decodes a JSON body; an empty body is `empty` when that is allowed.
    static func decode<Body: Decodable>(_ type: Body.Type, _ bytes: [UInt8],
                                        empty: Body?) -> Result<Body, ControlResponseError> {
        if bytes.isEmpty, let empty { return .success(empty) }
        do {
            return .success(try JSONDecoder().decode(type, from: Data(bytes)))
        } catch {
            return .failure(ControlResponseError(.error(400, code: "bad-json",
                                                        message: "the body is not the expected JSON: \(JSONErrorText.describe(error))")))
        }
    }
}

/// An error answer, carried through `Result`.
struct ControlResponseError: Error {
    let response: ControlResponse

    init(_ response: ControlResponse) {
        self.response = response
    }
}

extension Supervisor.CommandError {
    /// The API's answer to the error.
    var response: ControlResponse {
        switch self {
        case .notFound(let message): .error(404, code: "not-found", message: message)
        case .invalid(let message): .error(409, code: "invalid-transition", message: message)
        case .conflict(let message): .error(409, code: "conflict", message: message)
        case .failed(let message): .error(500, code: "failed", message: message)
        }
    }
}

/// A decoding error in one line, without Swift's type names.
enum JSONErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not valid JSON"
        default: "not valid JSON"
        }
    }
}
