import Synchronization

/// Hands every value published to each current subscriber, each through its own bounded
/// buffer. A subscriber that falls `laggardLimit` values behind is dropped (its stream ends)
/// rather than slowing the publisher or growing without bound.
///
/// Two uses: committed events for the control API's followers (a dropped follower resumes
/// from the last seq it saw, the backlog coming from the database), and the outbox's
/// doorbell for long-polling readers (where a dropped listener simply wakes up).
final class Broadcast<Element: Sendable>: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<Element>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let laggardLimit: Int

    init(laggardLimit: Int) {
        self.laggardLimit = laggardLimit
    }

    /// A stream of the values published from now on.
    func subscribe() -> AsyncStream<Element> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingOldest(laggardLimit))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Passes `values` to every subscriber.
    func publish(_ values: [Element]) {
        for continuation in subscribers.withLock({ Array($0.values) }) {
            for value in values {
                if case .dropped = continuation.yield(value) {
                    continuation.finish()
                    break
                }
            }
        }
    }
}

extension Broadcast where Element == Void {
    /// Returns when `stream` yields or ends, or after `timeout`, whichever comes first.
    static func wait(for stream: AsyncStream<Void>, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in stream { return } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
