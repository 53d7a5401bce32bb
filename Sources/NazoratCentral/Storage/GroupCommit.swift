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
    }

    private struct Queue {
        var waiting: [Job] = []
        var committing = 0
    }

    private let transaction: Transaction
    private let concurrency: Int
    private let largest: Int
    private let queue = Mutex(Queue())

    /// `concurrency`: how many groups may commit at once (SQLite's one writer: 1);
    /// `largest`: the most batches in one group.
    package init(concurrency: Int, largest: Int, _ transaction: @escaping Transaction) {
        (self.concurrency, self.largest, self.transaction) = (concurrency, largest, transaction)
    }

    /// Queues `make`'s work for the next group; returns its result once that committed.
    /// `make` turns the answer (to call after the commit) into the store's work.
    package func submit<Result: Sendable>(
        station: String?, _ make: (_ answer: @escaping @Sendable (Result) -> Void) -> Work
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let job = Job(work: make { continuation.resume(returning: $0) }, station: station,
                          fail: { continuation.resume(throwing: $0) })
            let starts = queue.withLock { queue in
                queue.waiting.append(job)
                guard queue.committing < concurrency else { return false }
                queue.committing += 1
                return true
            }
            if starts { Task { await self.commitWhileWaiting() } }
        }
    }

    /// Commits groups until nobody waits.
    private func commitWhileWaiting() async {
        while let group = nextGroup() { await commit(group) }
    }

    /// The waiting jobs in arrival order, one per station, up to `largest`; nil (and one
    /// committer fewer) when none waits.
    private func nextGroup() -> [Job]? {
        queue.withLock { queue in
            guard !queue.waiting.isEmpty else {
                queue.committing -= 1
                return nil
            }
            var group: [Job] = [], left: [Job] = [], stations = Set<String>()
            for job in queue.waiting {
                if group.count < largest, job.station.map({ stations.insert($0).inserted }) ?? true {
                    group.append(job)
                } else {
                    left.append(job)
                }
            }
            queue.waiting = left
            return group
        }
    }

    private func commit(_ group: [Job]) async {
        do {
            for answer in try await transaction(group.map(\.work)) { answer() }
        } catch {
            guard group.count > 1 else { return group[0].fail(error) }
            for job in group {
                do {
                    for answer in try await transaction([job.work]) { answer() }
                } catch {
                    job.fail(error)
                }
            }
        }
    }
}
