/// Collects what a running component reports (observations, log lines) and lets a test
/// wait until what was collected satisfies a condition, with a deadline.
///
/// Waiting is event-driven: every append re-checks the waiting conditions. The deadline
/// only turns a hang into a failure.
public actor AwaitableLog<Element: Sendable> {
    /// Everything collected so far, in order.
    public private(set) var elements: [Element] = []
    private var waiters: [Int: (condition: @Sendable ([Element]) -> Bool, continuation: CheckedContinuation<Void, any Error>)] = [:]
    private var nextWaiter = 0

    /// The condition was not met in time; `collected` tells what came instead.
    public struct Timeout: Error, CustomStringConvertible {
        /// What was being waited for.
        public let what: String
        /// A rendering of what was collected.
        public let collected: String
        public var description: String { "timed out waiting for \(what); collected:\n\(collected)" }
    }

    /// An empty log.
    public init() {}

    /// Appends one element and wakes the waiters it satisfies.
    public func append(_ element: Element) {
        elements.append(element)
        for (id, waiter) in waiters where waiter.condition(elements) {
            waiters[id] = nil
            waiter.continuation.resume()
        }
    }

    /// Returns once `condition` holds for the collected elements; throws ``Timeout`` after `timeout`.
    public func wait(
        for what: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable ([Element]) -> Bool
    ) async throws {
        if condition(elements) { return }
        let id = nextWaiter
        nextWaiter += 1
        try await withCheckedThrowingContinuation { continuation in
            waiters[id] = (condition, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id, what: what)
            }
        }
    }

    private func expire(_ id: Int, what: String) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        let collected = elements.suffix(40).map { "  \($0)" }.joined(separator: "\n")
        waiter.continuation.resume(throwing: Timeout(what: what, collected: collected))
    }
}
