import FoundationEssentials
import Logging

/// The overview for every open dashboard: one snapshot a tick, whoever watches, sent to each
/// as a server-sent event. It works only while someone watches.
actor DashboardFeed {
    private let database: any CentralDatabase
    private let liveness: Liveness
    private let now: @Sendable () -> Int64
    private let tick: Duration
    private let logger: Logger
    /// Each open page's stream, with its session's token hash: a stream ends with its session.
    private var watchers: [UInt64: (session: String, continuation: AsyncStream<[UInt8]>.Continuation)] = [:]
    private var nextWatcher: UInt64 = 0
    private var ticking: Task<Void, Never>?
    /// The newest event, for a page that starts watching between two ticks.
    private var latest: [UInt8]?

    init(database: any CentralDatabase, liveness: Liveness, now: @escaping @Sendable () -> Int64, tick: Duration,
         logger: Logger) {
        (self.database, self.liveness, self.now, self.tick, self.logger) = (database, liveness, now, tick, logger)
    }

    /// The current overview.
    func snapshot() async throws -> DashboardSnapshot {
        let now = now()
        return DashboardSnapshot(try await database.stations().map { StationGlance($0, now: now, liveness: liveness) }, now: now)
    }

    /// An event stream: the overview now and at every tick, until the client goes away or the
    /// session `session` (its token's hash) ends: signed out, expired, or the account disabled.
    func watch(session: String) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(2))
        let id = nextWatcher
        nextWatcher += 1
        watchers[id] = (session, continuation)
        continuation.onTermination = { _ in Task { await self.stopWatching(id) } }
        if ticking == nil {
            ticking = Task { await self.run() }
        } else if let latest {
            continuation.yield(latest)
        }
        return stream
    }

    /// Finishes the streams whose sessions are no longer open (one query a tick).
    private func endClosedSessions() async throws {
        let sessions = Array(Set(watchers.values.map(\.session)))
        guard !sessions.isEmpty else { return }
        let open = try await database.read(DashboardSQL.openSessions(sessions, now: now())) { rows in
            Set(try rows.map { try $0.text(required: "token_hash") })
        }
        for (id, watcher) in watchers where !open.contains(watcher.session) {
            watcher.continuation.finish()
            watchers[id] = nil
        }
    }

    private func stopWatching(_ id: UInt64) {
        watchers[id] = nil
        if watchers.isEmpty {
            ticking?.cancel()
            ticking = nil
            latest = nil
        }
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                try await endClosedSessions()
                let event = Array("event: overview\ndata: ".utf8) + (try JSONEncoder().encode(try await snapshot())) + Array("\n\n".utf8)
                latest = event
                for watcher in watchers.values { watcher.continuation.yield(event) }
            } catch {
                logger.error("the dashboard's overview could not be made: \(error)")
                for watcher in watchers.values { watcher.continuation.yield(Array("event: unavailable\ndata: {}\n\n".utf8)) }
            }
            try? await Task.sleep(for: tick)
        }
    }
}
