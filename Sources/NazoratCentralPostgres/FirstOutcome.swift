import Synchronization

/// A work's outcome or its deadline's, whichever comes first, without waiting for the work to
/// end. A task group would wait for its cancelled child, and postgres-nio does not end a
/// query in flight when its task is cancelled: a server that stopped answering (a hung host,
/// a network that drops packets, a postmaster stopped by SIGSTOP) would hold the request
/// until the server came back. The work is cancelled at the deadline and left to end alone.
enum FirstOutcome {
    /// The deadline came before the work's outcome.
    struct DeadlinePassed: Error {}

    static func of<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result,
                                     within deadline: Duration) async throws -> Result {
        let race = Race<Result>()
        let worker = Task {
            do { race.settle(.success(try await work())) } catch { race.settle(.failure(error)) }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: deadline)) != nil else { return }
            if race.settle(.failure(DeadlinePassed())) { worker.cancel() }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { race.wait($0) }
        } onCancel: {
            if race.settle(.failure(CancellationError())) { worker.cancel() }
        }
    }

    /// Resumes its waiter once, with the first outcome settled; an outcome settled before
    /// anyone waits (the caller cancelled at once) is kept for the waiter.
    private final class Race<Value: Sendable>: Sendable {
        private struct State {
            var waiter: CheckedContinuation<Value, any Error>?
            var outcome: Result<Value, any Error>?
        }

        private let state = Mutex(State())

        func wait(_ waiter: CheckedContinuation<Value, any Error>) {
            let settled = state.withLock { state in
                if state.outcome == nil { state.waiter = waiter }
                return state.outcome
            }
            if let settled { waiter.resume(with: settled) }
        }

        /// Whether `outcome` came first.
        @discardableResult
        func settle(_ outcome: Result<Value, any Error>) -> Bool {
            let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
                guard state.outcome == nil else { return (false, nil) }
                state.outcome = outcome
                defer { state.waiter = nil }
                return (true, state.waiter)
            }
            waiter?.resume(with: outcome)
            return first
        }
    }
}
