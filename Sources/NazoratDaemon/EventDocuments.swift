import FoundationEssentials
import NazoratAPI
import NazoratCore
import NazoratHTTP
import NazoratStore

/// Events as the control API shows them, and the follow stream.
enum EventDocuments {
    static func document(_ event: Event) -> EventDocument {
        let payload = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.draft.payload.utf8))) ?? .string(event.draft.payload)
        return EventDocument(
            seq: event.seq, time: UTCTime.rfc3339(microseconds: event.draft.time.realtimeUSec), monotonicUsec: event.draft.time.monotonicUSec,
            bootId: event.draft.time.bootID, type: event.draft.type, severity: event.draft.severity.rawValue,
            subject: event.draft.subject, message: event.draft.message, payload: payload,
            prevHash: event.prevHash, hash: event.hash)
    }

    /// The events after `seq`, one JSON object per line: the backlog from the database, then
    /// each event as it is committed. It ends when the follower falls too far behind (it
    /// resumes with `after` = the last seq it saw) or the daemon stops.
    static func follow(after seq: Int64, store: StateStore, feed: Broadcast<Event>) -> AsyncStream<[UInt8]> {
        // Subscribed before the backlog is read, so nothing committed in between is missed;
        // what both deliver is sent once (seq order).
        let live = feed.subscribe()
        return AsyncStream { continuation in
            let task = Task {
                var last = seq
                while !Task.isCancelled, let page = try? store.events(after: last, limit: 500), !page.isEmpty {
                    for event in page { continuation.yield(line(event)) }
                    last = page[page.count - 1].seq
                }
                for await event in live where event.seq > last {
                    continuation.yield(line(event))
                    last = event.seq
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func line(_ event: Event) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(document(event))).map(Array.init) ?? []) + [0x0A]
    }
}
