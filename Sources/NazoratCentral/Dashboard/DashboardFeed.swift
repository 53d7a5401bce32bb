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
    private var watchers: [UInt64: AsyncStream<[UInt8]>.Continuation] = [:]
    private var nextWatcher: UInt64 = 0
    private var ticking: Task<Void, Never>?

    init(database: any CentralDatabase, liveness: Liveness, now: @escaping @Sendable () -> Int64, tick: Duration,
         logger: Logger) {
        (self.database, self.liveness, self.now, self.tick, self.logger) = (database, liveness, now, tick, logger)
    }

    /// The current overview.
    func snapshot() async throws -> DashboardSnapshot {
        let now = now()
        return DashboardSnapshot(try await database.stations().map {
            StationView($0, reports: [:], now: now, liveness: liveness)
        }, now: now)
    }

    /// An event stream: the overview now and at every tick, until the client goes away.
    func watch() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(2))
        let id = nextWatcher
        nextWatcher += 1
        watchers[id] = continuation
        continuation.onTermination = { _ in Task { await self.stopWatching(id) } }
        if ticking == nil { ticking = Task { await self.run() } }
        return stream
    }

    private func stopWatching(_ id: UInt64) {
        watchers[id] = nil
        if watchers.isEmpty {
            ticking?.cancel()
            ticking = nil
        }
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                let event = Array("event: overview\ndata: ".utf8) + (try JSONEncoder().encode(try await snapshot())) + Array("\n\n".utf8)
                for watcher in watchers.values { watcher.yield(event) }
            } catch {
                logger.error("the dashboard's overview could not be made: \(error)")
                for watcher in watchers.values { watcher.yield(Array("event: unavailable\ndata: {}\n\n".utf8)) }
            }
            try? await Task.sleep(for: tick)
        }
    }
}
