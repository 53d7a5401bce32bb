import FoundationEssentials
import NazoratAPI
import NazoratCore
import NazoratHTTP

/// The outbox, read and acknowledged by nazorat-uplink.
extension ControlRoutes {
    static let outboxRoutes: [Route] = [
        Route("GET", "/v1/outbox", .outbox) { routes, call in await routes.outboxEntries(call.request) },
        Route("POST", "/v1/outbox/ack", .outbox) { routes, call in await routes.acknowledgeOutbox(call.request) },
        Route("POST", "/v1/outbox/bundle", .administer) { routes, call in await routes.exportBundle(call.request) },
    ]

    /// The offline bundle (nazoratctl export-bundle), and the event that records who took it.
    func exportBundle(_ request: ControlRequest) async -> ControlResponse {
        guard let outbox else {
            return .error(409, code: "not-configured", message: "the configuration has no [uplink] table: no envelopes are made")
        }
        do {
            let bundle = try await outbox.bundle(createdUsec: supervisor.clock.now().realtimeUSec)
            await supervisor.bundleExported(bundle.manifest, by: request.peer)
            return .json(bundle.contents)
        } catch {
            return Self.storage("the outbox cannot be read", error)
        }
    }

    func outboxEntries(_ request: ControlRequest) async -> ControlResponse {
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
            return Self.storage("the outbox cannot be read", error)
        }
    }

    /// The uplink's acknowledgement is not an event: events go to central in envelopes, so
    /// an event per acknowledgement would feed itself forever. The journal has it.
    func acknowledgeOutbox(_ request: ControlRequest) async -> ControlResponse {
        guard let outbox else {
            return .error(409, code: "not-configured", message: "the configuration has no [uplink] table")
        }
        let ack: OutboxAcknowledgement
        switch Self.decode(OutboxAcknowledgement.self, request.body) {
        case .success(let decoded): ack = decoded
        case .failure(let error): return error.response
        }
        do {
            let summary = try await outbox.summary()
            guard ack.through >= 0 else {
                return .error(400, code: "bad-parameter", message: "through is a seq, 0 or more")
            }
            guard ack.clock?.isPlausible ?? true else {
                return .error(400, code: "bad-parameter", message: "clock: offsetUsec within ±\(CentralClock.offsetBound), "
                              + "roundTripUsec 0 to \(CentralClock.roundTripBound), measuredUsec 0 or more")
            }
            // A well-formed acknowledgement of envelopes that do not exist (yet): a conflict
            // with the outbox's state, not a malformed request.
            let last = summary.lastSeq ?? summary.acknowledgedThrough
            guard ack.through <= last else {
                return .error(409, code: "beyond-last-envelope",
                              message: "through \(ack.through) is beyond the last envelope, \(last)")
            }
            try await outbox.acknowledge(through: ack.through)
            if let clock = ack.clock { board.centralClock = clock }
            return .json(OutboxAcknowledgement(through: max(ack.through, summary.acknowledgedThrough)))
        } catch {
            return Self.storage("the acknowledgement could not be written", error)
        }
    }
}
