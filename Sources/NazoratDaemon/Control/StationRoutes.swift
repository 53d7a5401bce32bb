import NazoratAPI
import NazoratCore
import NazoratHTTP
import NazoratStore
import Synchronization

/// The station as a whole: status, key, log verification, metrics, and the event log.
extension ControlRoutes {
    static let stationRoutes: [Route] = [
        Route("GET", "/v1/status", .read) { routes, _ in .json(await routes.status()) },
        Route("GET", "/v1/key", .read) { routes, _ in .json(KeyDocument(publicKey: routes.publicKey)) },
        Route("GET", "/v1/log/verify", .read) { routes, _ in routes.verifyLog() },
        Route("GET", "/v1/events", .read) { routes, call in routes.events(call.request) },
        Route("GET", "/v1/log/export", .read) { routes, call in routes.exportLog(call.request) },
        Route("GET", "/metrics", .read) { routes, _ in
            .text(routes.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        },
    ]

    func status() async -> StatusDocument {
        let now = await reporter.snapshot()
        let ids = (try? openAlarms.records(head: now.head?.seq ?? 0)) ?? []
        return StatusDocument(
            station: now.station, phase: now.summary.phase.rawValue, mode: now.mode.rawValue,
            uptime: now.uptimeSeconds, version: Daemon.version, devices: now.devices,
            alarms: ids.map { .init(id: $0.id, kind: $0.alarm.kind.rawValue, severity: $0.alarm.severity.rawValue,
                                    port: $0.alarm.subject, state: $0.alarm.state.rawValue) },
            log: now.head,
            storage: .init(state: now.summary.storageFailure == nil ? "ok" : "failing", reason: now.summary.storageFailure),
            uplink: await uplinkState(), counters: now.counters, summary: now.summary.statusLine)
    }

    private func uplinkState() async -> StatusDocument.Uplink {
        guard let outbox, let summary = try? await outbox.summary() else { return .init(state: "not-configured", outbox: nil) }
        return .init(state: summary.envelopes == 0 ? "delivered" : "pending",
                     outbox: .init(envelopes: summary.envelopes, bytes: summary.bytes, firstSeq: summary.firstSeq,
                                   lastSeq: summary.lastSeq, acknowledgedThrough: summary.acknowledgedThrough))
    }

    func verifyLog() -> ControlResponse {
        do {
            let check = try LogCheck.run(path: store.path, publicKey: publicKey)
            return .json(VerificationDocument(ok: check.intact, message: check.text))
        } catch {
            return Self.storage("the log cannot be read", error)
        }
    }

    /// The log as an election event log document (``LogExport``), streamed: each chunk is
    /// read when the client has taken the one before, so a slow reader holds one page.
    func exportLog(_ request: ControlRequest) -> ControlResponse {
        guard let after = Int64(request.parameter("after") ?? "0"), after >= 0 else {
            return .error(400, code: "bad-parameter", message: "after must be a seq, 0 or more")
        }
        guard (request.parameter("format") ?? "cdf") == "cdf" else {
            return .error(400, code: "bad-parameter", message: "format must be cdf")
        }
        do {
            let export = Mutex(try LogExport(store: store, after: after, now: supervisor.clock.now().realtimeUSec))
            // A read that fails midway ends the stream without the document's closing, which
            // nazoratctl reports as an export cut short.
            return .streaming(AsyncStream(unfolding: { export.withLock { try? $0.next() } }), contentType: "application/json")
        } catch {
            return Self.storage("the log cannot be read", error)
        }
    }

    func events(_ request: ControlRequest) -> ControlResponse {
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
                return Self.storage("the events cannot be read", error)
            }
        case "true", "1":
            return .streaming(EventDocuments.follow(after: after, store: store, feed: feed),
                              contentType: "application/x-ndjson")
        default:
            return .error(400, code: "bad-parameter", message: "follow must be true or false")
        }
    }
}
