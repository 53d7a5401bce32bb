import NazoratCore
import Testing

/// The walk a start makes from the last signed checkpoint.
@Suite struct ChainWalkTests {
    private let log = ChainVerifierTests.makeLog(count: 2100)

    private func walk(_ events: ArraySlice<Event>, from checkpoint: Checkpoint?) -> ChainWalk? {
        var walk = checkpoint.map { ChainWalk(station: ChainVerifierTests.station, resumingAt: $0) }
            ?? ChainWalk(station: ChainVerifierTests.station)
        for event in events where !walk.extend(with: event) { return nil }
        return walk
    }

    @Test func aWalkFromTheLastCheckpointReadsOnlyTheTail() throws {
        let checkpoint = try #require(log.checkpoints.first { $0.seq == 2000 })
        let walked = try #require(walk(log.events[1999...], from: checkpoint))
        #expect(walked.events == 101 && walked.head?.seq == 2100 && walked.reachedItsCheckpoint)
    }

    @Test func theCheckpointedEventMustComeFirstWithItsHash() throws {
        let checkpoint = try #require(log.checkpoints.first { $0.seq == 2000 })
        #expect(walk(log.events[2000...], from: checkpoint) == nil, "an event after it first: the checkpoint's is gone")
        var edited = Array(log.events[1999...])
        edited[0].draft.message = "device added: somewhere else"
        #expect(walk(edited[...], from: checkpoint) == nil, "the checkpointed event changed under its hash")
        var empty = try #require(walk([], from: checkpoint))
        #expect(!empty.reachedItsCheckpoint, "a log cut before its checkpoint")
        empty = try #require(walk([], from: nil))
        #expect(empty.reachedItsCheckpoint && empty.head == nil)
    }

    @Test func anEditAfterTheCheckpointStopsTheWalkAndOneBeforeItDoesNot() throws {
        let checkpoint = try #require(log.checkpoints.first { $0.seq == 2000 })
        var events = log.events
        events[2049].draft.message = "edited"
        #expect(walk(events[1999...], from: checkpoint) == nil)
        events = log.events
        events[10].draft.message = "edited"
        #expect(walk(events[1999...], from: checkpoint) != nil, "before the checkpoint: the audit's, not the start's")
        #expect(walk(events[...], from: nil) == nil)
    }
}
