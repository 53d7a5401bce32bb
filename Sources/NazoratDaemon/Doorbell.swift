import Synchronization

/// Wakes whoever waits for something new (long-polling outbox readers). Rings are not
/// counted: a waiter looks again at what it waits for after each ring.
final class Doorbell: Sendable {
    private let waiters = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    /// A stream that yields once per ring from now on.
    func listen() -> AsyncStream<Void> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in _ = self?.waiters.withLock { $0.removeValue(forKey: id) } }
        waiters.withLock { $0[id] = continuation }
        return stream
    }

    func ring() {
        for continuation in waiters.withLock({ Array($0.values) }) { continuation.yield() }
    }

    /// Returns when the bell rings or after `timeout`, whichever comes first.
    static func wait(for stream: AsyncStream<Void>, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in stream { return } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
