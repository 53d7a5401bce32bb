import Synchronization

/// Batches committed in groups, for both stores. A commit's sync is most of a lone heartbeat
/// batch's time (SQLite syncs its WAL at every commit, `synchronous = FULL`; PostgreSQL adds
/// a round trip per statement), so the batches that arrive while a transaction commits wait
/// and then share the next transaction: one sync, one lock statement and one commit serve
/// them all, and each is answered only after the commit that holds it. Inside, they are
/// judged in arrival order, each from what the ones before it wrote, as if each had had a
/// transaction of its own. A batch that names its station goes into a group without another
/// of that station (a second one waits for the next group): PostgreSQL's group reads what its
/// batches need at its start, which a batch before it in the group must not change. If a
/// group fails, each of its batches runs again alone: one batch's failure answers that batch.
/// PostgreSQL's own backends share a WAL flush the same way.
package final class GroupCommit<Work: Sendable>: Sendable {
    /// Runs works in one transaction and gives, in their order, the answers to send once it
    /// committed. A work may run twice: again alone after its group failed.
    package typealias Transaction = @Sendable ([Work]) async throws -> [@Sendable () -> Void]

    private struct Job: Sendable {
        let work: Work
        let station: String?
        let fail: @Sendable (any Error) -> Void
        let queued: ContinuousClock.Instant
    }

    /// A batch waited longer than the store's deadline before a transaction could take it.
    package struct WaitedTooLong: Error, CustomStringConvertible {
        package let waited: Duration
        package var description: String { "a batch waited \(waited) for a transaction (the store is slow or away)" }
    }

    private struct Queue {
        var waiting: [Job] = []
        var committing = 0
        /// Who awaits ``untilWaiting(_:)``: each with the count it waits for.
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let transaction: Transaction
    private let concurrency: Int
    private let largest: Int
    private let maximumWait: Duration?
    private let retriesAlone: @Sendable (any Error) -> Bool
    private let queue = Mutex(Queue())

    /// `concurrency`: how many groups may commit at once (SQLite's one writer: 1);
    /// `largest`: the most batches in one group; `retriesAlone`: whether a group's error may
    /// be one batch's (a statement refused), rather than the store's (unreachable, timed out).
    package init(concurrency: Int, largest: Int, maximumWait: Duration? = nil,
                 retriesAlone: @escaping @Sendable (any Error) -> Bool = { _ in true }, _ transaction: @escaping Transaction) {
        (self.concurrency, self.largest, self.maximumWait) = (concurrency, largest, maximumWait)
        (self.retriesAlone, self.transaction) = (retriesAlone, transaction)
    }

    /// Returns once at least `count` batches wait for a group (not those committing): the
    /// tests hold a transaction open and queue batches in an order of their choosing.
    package func untilWaiting(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reached = queue.withLock { queue in
                if queue.waiting.count >= count { return true }
                queue.watchers.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    /// Queues `make`'s work for the next group; returns its result once that committed.
    /// `make` turns the answer (to call after the commit) into the store's work.
    package func submit<Result: Sendable>(
        station: String?, _ make: (_ answer: @escaping @Sendable (Result) -> Void) -> Work
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let job = Job(work: make { continuation.resume(returning: $0) }, station: station,
                          fail: { continuation.resume(throwing: $0) }, queued: .now)
            let (starts, reached) = queue.withLock { queue in
                queue.waiting.append(job)
                let count = queue.waiting.count
                let reached = queue.watchers.filter { $0.count <= count }.map(\.continuation)
                queue.watchers.removeAll { $0.count <= count }
                guard queue.committing < concurrency else { return (false, reached) }
                queue.committing += 1
                return (true, reached)
            }
            for watcher in reached { watcher.resume() }
            if starts { Task { await self.commitWhileWaiting() } }
        }
    }

    /// Commits groups until nobody waits.
    private func commitWhileWaiting() async {
        while let (group, expired) = nextGroup() {
            for job in expired { job.fail(WaitedTooLong(waited: .now - job.queued)) }
            if !group.isEmpty { await commit(group) }
        }
    }

    /// The waiting jobs in arrival order, one per station, up to `largest`, and those that
    /// waited too long; nil (and one committer fewer) when none waits.
    private func nextGroup() -> (group: [Job], expired: [Job])? {
        let now = ContinuousClock.now
        return queue.withLock { queue in
            guard !queue.waiting.isEmpty else {
                queue.committing -= 1
                return nil
            }
            var group: [Job] = [], left: [Job] = [], expired: [Job] = [], stations = Set<String>()
            for job in queue.waiting {
                if let maximumWait, now - job.queued > maximumWait {
                    expired.append(job)
                } else if group.count < largest, job.station.map({ stations.insert($0).inserted }) ?? true {
                    group.append(job)
                } else {
                    left.append(job)
                }
            }
            queue.waiting = left
            return (group, expired)
        }
    }

    private func commit(_ group: [Job]) async {
        do {
            try await run(group)
        } catch {
            guard group.count > 1, retriesAlone(error) else { return group.forEach { $0.fail(error) } }
            for job in group {
                do {
                    try await run([job])
                } catch {
                    job.fail(error)
                }
            }
        }
    }

    /// One transaction for `jobs`, then their answers.
    private func run(_ jobs: [Job]) async throws {
        let answers = try await transaction(jobs.map(\.work))
        // A store that answered fewer works than it got would leave a request waiting forever
        // (committed: not run again).
        guard answers.count == jobs.count else {
            return jobs.forEach { $0.fail(UnansweredWork(given: jobs.count, answered: answers.count)) }
        }
        for answer in answers { answer() }
    }

    /// A transaction gave fewer answers than it took works: a defect of the store.
    struct UnansweredWork: Error, CustomStringConvertible {
        let given: Int, answered: Int
        var description: String { "a group commit of \(given) batches gave \(answered) answers" }
    }
}
