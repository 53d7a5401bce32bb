@testable import NazoratCentral
import Synchronization
import Testing

/// How ``GroupCommit`` forms groups: a transaction held open makes the next batches wait, and
/// they then share one transaction, one per station, at most `largest`.
@Suite struct GroupCommitQueueTests {
    struct StorageBroke: Error {}

    struct Item: Sendable {
        let n: Int
        let answer: @Sendable (Int) -> Void
    }

    /// Records each transaction's items; the first one waits until `open()`.
    final class Transactions: Sendable {
        let groups = Mutex<[[Int]]>([])
        private let gate = AsyncStream<Void>.makeStream()
        private let started = AsyncStream<Void>.makeStream()

        func record(_ items: [Item]) async {
            let first = groups.withLock { groups in
                groups.append(items.map(\.n))
                return groups.count == 1
            }
            guard first else { return }
            started.continuation.yield()
            for await _ in gate.stream { break }
        }

        /// Returns once the first transaction holds.
        func firstHolds() async { for await _ in started.stream { break } }

        func open() { gate.continuation.yield() }
    }

    private func queue(_ transactions: Transactions, largest: Int = 100, failing: Set<Int> = [],
                       retriesAlone: Bool = true, maximumWait: Duration? = nil) -> GroupCommit<Item> {
        GroupCommit(concurrency: 1, largest: largest, maximumWait: maximumWait, retriesAlone: { _ in retriesAlone }) { items in
            await transactions.record(items)
            if items.contains(where: { failing.contains($0.n) }) { throw StorageBroke() }
            return items.map { item in { item.answer(item.n) } }
        }
    }

    /// Submits 0, waits until its transaction holds, submits `rest` (with their stations) one
    /// after another, each only once the one before waits (tasks start in no set order: CI saw
    /// 45 queued before 44), opens; each one's answer, or nil for an error.
    private func held(_ commits: GroupCommit<Item>, _ transactions: Transactions,
                      _ rest: [(Int, String?)]) async -> [Int: Int?] {
        await withTaskGroup(of: (Int, Int?).self) { group in
            for (index, (n, station)) in ([(0, nil)] + rest).enumerated() {
                group.addTask { (n, try? await commits.submit(station: station) { Item(n: n, answer: $0) }) }
                if n == 0 { await transactions.firstHolds() } else { await commits.untilWaiting(index) }
            }
            transactions.open()
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    @Test func batchesThatArriveDuringACommitShareTheNextAndAFailingOneIsRunAgainAlone() async {
        let transactions = Transactions()
        let answers = await held(queue(transactions, failing: [25]), transactions, (1...50).map { ($0, nil) })
        #expect(transactions.groups.withLock { $0 } == [[0], Array(1...50)] + (1...50).map { [$0] })
        #expect(answers.count == 51)
        for n in 0...50 { #expect(answers[n].flatMap { $0 } == (n == 25 ? nil : n), "batch \(n)") }
    }

    @Test func aGroupTakesOneBatchPerStationAndAtMostTheLargest() async {
        let transactions = Transactions()
        let rest: [(Int, String?)] = [(1, "A"), (2, "B"), (3, "A"), (4, "A")] + (5...12).map { ($0, nil) }
        let answers = await held(queue(transactions, largest: 5), transactions, rest)
        #expect(transactions.groups.withLock { $0 } == [[0], [1, 2, 5, 6, 7], [3, 8, 9, 10, 11], [4, 12]])
        #expect(answers.count == 13 && answers.values.allSatisfy { $0 != nil })
    }

    @Test func theStoresOwnFailureAnswersTheWholeGroupAtOnce() async {
        let transactions = Transactions()
        let answers = await held(queue(transactions, failing: [3], retriesAlone: false), transactions,
                                 (1...10).map { ($0, nil) })
        #expect(transactions.groups.withLock { $0 } == [[0], Array(1...10)], "not run again one by one")
        #expect(answers[0] == 0 && (1...10).allSatisfy { answers[$0] == .some(nil) })
    }

    @Test func aBatchThatWaitedTooLongIsAnsweredWithoutRunning() async {
        let transactions = Transactions()
        let commits = queue(transactions, maximumWait: .zero)
        do {
            _ = try await commits.submit(station: nil) { Item(n: 1, answer: $0) }
            Issue.record("answered after waiting longer than the most it may")
        } catch {
            #expect(error is GroupCommit<Item>.WaitedTooLong)
        }
        #expect(transactions.groups.withLock { $0 }.isEmpty)
    }

    @Test func aStoreThatAnswersFewerThanItTookFailsThemInsteadOfLeavingThemWaiting() async {
        let commits = GroupCommit<Item>(concurrency: 1, largest: 10) { _ in [] }
        await #expect(throws: (any Error).self) { try await commits.submit(station: nil) { Item(n: 1, answer: $0) } }
    }
}
