import NazoratCore
import Synchronization

/// Hands committed events to the control API's followers (`GET /v1/events?follow=true`).
///
/// Each follower gets its own bounded buffer. A follower that falls that far behind is
/// dropped (its stream ends) rather than slowing the daemon down or growing without bound;
/// it resumes from the last seq it saw, and the backlog comes from the database.
final class EventFeed: Sendable {
    /// The events a follower may fall behind before it is dropped.
    static let followerBuffer = 4096

    private let followers = Mutex<[Int: AsyncStream<Event>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    /// A stream of the events committed from now on.
    func subscribe() -> AsyncStream<Event> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self,
                                                            bufferingPolicy: .bufferingOldest(Self.followerBuffer))
        continuation.onTermination = { [weak self] _ in _ = self?.followers.withLock { $0.removeValue(forKey: id) } }
        followers.withLock { $0[id] = continuation }
        return stream
    }

    /// Passes `events` to every follower.
    func publish(_ events: [Event]) {
        let current = followers.withLock { Array($0.values) }
        for continuation in current {
            for event in events {
                if case .dropped = continuation.yield(event) {
                    continuation.finish()
                    break
                }
            }
        }
    }
}
