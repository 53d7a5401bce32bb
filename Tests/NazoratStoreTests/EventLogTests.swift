import Foundation
import GRDB
import NazoratCore
import NazoratSigning
@testable import NazoratStore
import NazoratTestbed
import Testing

@Suite struct EventLogTests {
    @Test func eventsAreChainedDurablyAndTheChainContinuesAfterAReopen() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        do {
            let (log, _) = try openLog(scratch.path, clock: clock, observer: observer)
            for n in 1...3 { await log.record(.init(drafts: [draft(n, clock: clock)])) }
        }
        let (log, opened) = try openLog(scratch.path, clock: clock, observer: observer)
        #expect(await log.currentHead?.seq == 3)
        await log.record(.init(drafts: [draft(4, clock: clock), draft(5, clock: clock)]))
        let stored = try opened.store.log()
        #expect(stored.events.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(stored.events[0].prevHash == HashChain.genesis(station: "TSH-1"))
        #expect(stored.events[3].prevHash == stored.events[2].hash)
        #expect(try LogVerification.verify(path: opened.store.path, publicKey: nil).result.get().events == 5)
    }

    // Regression: the 200-kill crash test once killed a first start after the schema was
    // committed and before the station was recorded; verify-log called that database "not
    // a Nazorat database". An empty log is intact.
    @Test func aSchemaWithoutStationOrEventsVerifiesAsAnEmptyLog() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/state.db"
        _ = try StateStore(path: path)
        let report = try LogVerification.verify(path: path, publicKey: nil)
        #expect(try report.result.get().events == 0)
    }

    @Test func theDatabaseIsInWALModeWithFullSynchronousCommits() throws {
        let scratch = try ScratchDirectory()
        let opened = try StateDirectory.open(directory: scratch.path + "/state", station: "TSH-1", now: TestClock().now())
        // Regression: GRDB sets NORMAL on the writing connection after our hook ran, and this
        // test once asked a reading connection, which still said FULL.
        let pragmas = try opened.store.pragmas()
        #expect(pragmas.journalMode == "wal")
        #expect(pragmas.synchronous == 2, "2 is FULL: every commit is fsynced")
        let mode = try FileManager.default.attributesOfItem(atPath: scratch.path + "/state")[.posixPermissions] as? Int
        #expect(mode == 0o700, "a new state-dir is private")
    }

    @Test func aCheckpointIsSignedEveryThousandEventsAndAtAStop() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        let (log, opened) = try openLog(scratch.path, clock: clock, observer: observer)
        for chunk in 0..<25 {
            await log.record(.init(drafts: (1...100).map { draft(chunk * 100 + $0, clock: clock) }))
        }
        #expect(try opened.store.log().checkpoints.map(\.seq) == [1000, 2000])
        let last = await log.checkpointHead()
        #expect(last?.seq == 2500)
        #expect(await log.checkpointHead() == nil, "the head is already covered")
        let key = opened.signer.publicKeyText
        let summary = try LogVerification.verify(path: opened.store.path, publicKey: key).result.get()
        #expect(summary.checkpoints == 3)
        #expect(summary.unsignedTail == 0)
    }

    @Test func deviceRecordsFollowTheEvents() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        let (log, opened) = try openLog(scratch.path, clock: clock, observer: observer)
        let stick = USBDevice(syspath: "/sys/devices/x/usb1/1-3", port: "1-3", vendorID: 0x0781, productID: 0x5567,
                              serial: DeviceString(bytes: [0x1B, 0xFF]))
        await log.record(.init(drafts: [draft(1, clock: clock)], devicesPresent: [stick]))
        #expect(try opened.store.recordedDevices() == [stick])
        await log.record(.init(drafts: [draft(2, clock: clock)], devicesGone: [stick.syspath]))
        #expect(try opened.store.recordedDevices().isEmpty)
    }

    @Test func alarmsSealsAndThePhaseArePersistedWithTheirEvents() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        let (log, opened) = try openLog(scratch.path, clock: clock, observer: observer)
        let scanner = USBDevice(syspath: "/sys/x/1-1.1", port: "1-1.1", vendorID: 0x2c4e, productID: 0x0b01, hash: "h")
        let inventory = Inventory(devices: [scanner]) { _ in .ballotScanner }
        let alarm = Alarm(kind: .drift(.missing), severity: .error, subject: "1-1.1", detail: "missing")
        await log.record(.init(drafts: [draft(1, clock: clock)], alarmChanges: [.raise(alarm)], inventory: inventory,
                               metadata: [.pollsPhase: "open"]))
        #expect(try opened.store.inventory() == inventory)
        #expect(try opened.store.pollsPhase() == .open)
        #expect(try opened.store.openAlarms() == [alarm])

        await log.record(.init(drafts: [draft(2, clock: clock)],
                               alarmChanges: [.acknowledge(kind: .drift(.missing), subject: "1-1.1", by: "uid 1000", note: "cable")]))
        let acknowledged = try #require(try opened.store.openAlarms().first)
        #expect(acknowledged.state == .acknowledged)
        #expect(acknowledged.acknowledgedBy == "uid 1000")
        #expect(acknowledged.note == "cable")

        await log.record(.init(drafts: [draft(3, clock: clock)], alarmChanges: [.clear(kind: .drift(.missing), subject: "1-1.1")]))
        #expect(try opened.store.openAlarms().isEmpty)
    }

    @Test func aFullDiskQueuesEventsInOrderAndReportsWhatWasLost() async throws {
        let tmpfs = try Tmpfs(kibibytes: 1024)
        let clock = TestClock(), observer = LogObserver()
        let (log, opened) = try openLog(tmpfs.path + "/state", queueLimit: 5, clock: clock, observer: observer)
        await log.record(.init(drafts: [draft(1, clock: clock)]))
        let filler = tmpfs.fill()

        // Big payloads so that SQLite needs pages the disk no longer has.
        let big = String(repeating: "x", count: 8192)
        for n in 2...9 {
            var event = draft(n, clock: clock)
            event.payload = #"{"pad":"\#(big)"}"#
            await log.record(.init(drafts: [event]))
        }
        let failing = observer.states.last
        #expect({ if case .failing(_, 5, 3) = failing { true } else { false } }(), "state: \(String(describing: failing))")
        #expect(try opened.store.head()?.seq == 1, "nothing was written while the disk was full")

        try FileManager.default.removeItem(atPath: filler)
        await log.record(.init(drafts: [draft(10, clock: clock)]))
        let stored = try opened.store.log().events
        #expect(stored.map(\.draft.type) == ["device.added", "device.added", "device.added", "device.added",
                                             "device.added", "device.added", "storage.recovered", "events.lost",
                                             "device.added"])
        #expect(stored.map(\.draft.subject).prefix(6) == ["1-1", "1-2", "1-3", "1-4", "1-5", "1-6"])
        #expect(stored[7].draft.payload.contains(#""count":3"#))
        #expect(stored[7].draft.message == "3 events were lost while storage was failing")
        #expect(try LogVerification.verify(path: opened.store.path, publicKey: nil).result.get().events == 9)
        #expect(observer.states.last == .healthy)
        #expect(observer.committed.map(\.seq) == Array(1...9), "every committed event reported once, in order")
    }

    // Regression (issue 15, bug 1): a counter report recorded after the outage queue was
    // full lost its counters, evidence and results with its events. The counter book had
    // moved on, so the client's retry was "unchanged" and the count never reached the disk.
    @Test func aFullQueueDropsHistoryButNeverState() async throws {
        let tmpfs = try Tmpfs(kibibytes: 1024)
        let clock = TestClock(), observer = LogObserver()
        let (log, opened) = try openLog(tmpfs.path + "/state", queueLimit: 1, clock: clock, observer: observer)
        await log.record(.init(drafts: [draft(1, clock: clock)]))
        let filler = tmpfs.fill()
        var padded = draft(2, clock: clock)
        padded.payload = #"{"pad":"\#(String(repeating: "x", count: 8192))"}"#
        await log.record(.init(drafts: [padded]))

        var report = StoreBatch(drafts: [draft(3, clock: clock, type: .countersReported)])
        let counters = ScannerCounters(publicCount: 41, protectiveCount: 9041)
        report.tables.counters["1-4"] = ScannerRecord(current: counters, protectiveAtOpen: 9000)
        report.tables.evidence = [CounterEvidence(port: "1-5", counters: counters, anomaly: "protective-decreased")]
        report.tables.results = #"{"contests":[]}"#
        report.tables.metadata[.pollsPhase] = "open"
        #expect(await log.record(report) == false, "the disk is full: nothing may be acknowledged")
        #expect({ if case .failing(_, 1, 1) = observer.states.last { true } else { false } }(),
                "the report's event was lost to the full queue: \(String(describing: observer.states.last))")

        try FileManager.default.removeItem(atPath: filler)
        #expect(await log.record(.init(drafts: [draft(4, clock: clock)])))
        #expect(try opened.store.counters()["1-4"] == ScannerRecord(current: counters, protectiveAtOpen: 9000))
        #expect(try opened.store.counterEvidence() == [CounterEvidence(port: "1-5", counters: counters,
                                                                       anomaly: "protective-decreased")])
        #expect(try opened.store.results() == #"{"contests":[]}"#)
        #expect(try opened.store.pollsPhase() == .open)
        #expect(try opened.store.log().events.map(\.draft.type)
                == ["device.added", "device.added", "storage.recovered", "events.lost", "device.added"])
    }
}

@Suite struct StateDirectoryTests {
    @Test func theKeyIsCreatedPrivateAndReused() throws {
        let scratch = try ScratchDirectory()
        let first = try StationKey.loadOrCreate(directory: scratch.path)
        let again = try StationKey.loadOrCreate(directory: scratch.path)
        #expect(first.rawRepresentation == again.rawRepresentation)
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path + "/station.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aKeyOthersCanReadIsRefused() throws {
        let scratch = try ScratchDirectory()
        _ = try StationKey.loadOrCreate(directory: scratch.path)
        chmod(scratch.path + "/station.key", 0o644)
        #expect(throws: StationKeyError.self) { try StationKey.loadOrCreate(directory: scratch.path) }
    }

    @Test func aDamagedFileIsMovedAsideAndANewChainStarts() throws {
        let scratch = try ScratchDirectory()
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try garbage.write(to: URL(fileURLWithPath: scratch.path + "/state.db"))
        let opened = try StateDirectory.open(directory: scratch.path, station: "TSH-1", now: TestClock().now())
        let quarantine = try #require(opened.quarantine)
        #expect(quarantine.movedTo.hasPrefix(scratch.path + "/state.db.damaged-"))
        #expect(quarantine.lastVerifiedSeq == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: quarantine.movedTo)) == garbage, "never overwritten")
        #expect(try opened.store.head() == nil)
    }

    /// Regression: a first start killed before its schema was committed left a database
    /// without tables, and the next start failed on "no such table".
    @Test func aDatabaseWithoutTablesIsAFreshOne() throws {
        let scratch = try ScratchDirectory()
        try GRDB.DatabaseQueue(path: scratch.path + "/state.db").write { try $0.execute(sql: "PRAGMA user_version = 0") }
        let opened = try StateDirectory.open(directory: scratch.path, station: "TSH-1", now: TestClock().now())
        #expect(opened.quarantine == nil)
        #expect(try opened.store.head() == nil)
        #expect(try opened.store.metadata(.station) == "TSH-1")
    }

    @Test func aTamperedLogIsMovedAsideWithItsLastVerifiedHead() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        do {
            let (log, opened) = try openLog(scratch.path, clock: clock, observer: observer)
            for n in 1...5 { await log.record(.init(drafts: [draft(n, clock: clock)])) }
            try Tamper.sql(opened.store.path, "UPDATE events SET message = 'nothing' WHERE seq = 4")
        }
        let opened = try StateDirectory.open(directory: scratch.path, station: "TSH-1", now: clock.now())
        let quarantine = try #require(opened.quarantine)
        #expect(quarantine.lastVerifiedSeq == 3)
        #expect(quarantine.reason.contains("seq 4: edited"))
    }

    @Test func anotherStationsDatabaseIsRefusedNotMoved() async throws {
        let scratch = try ScratchDirectory()
        let clock = TestClock(), observer = LogObserver()
        do {
            let (log, _) = try openLog(scratch.path, clock: clock, observer: observer)
            await log.record(.init(drafts: [draft(1, clock: clock)]))
        }
        #expect(throws: StoreError.self) {
            try StateDirectory.open(directory: scratch.path, station: "OTHER", now: clock.now())
        }
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/state.db"))
    }
}
