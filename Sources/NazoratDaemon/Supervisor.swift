import Logging
import NazoratConfiguration
import NazoratCore
import NazoratLinux
import NazoratStore

/// The one place that changes what the daemon knows about the station. Observations from
/// the udev watcher and commands from the control socket are applied here one at a time,
/// so that the seal, the alarms, the policy in force, the rule file, the counters and the
/// event log never see two changes interleaved: each change is decided, then recorded as
/// one batch. (The outbox of envelopes for central is the Outbox actor's: it changes no
/// station state, only what waits for delivery.)
actor Supervisor {
    let log: EventLog
    let store: StateStore
    let watcher: any DeviceSource
    let enforcer: Enforcer
    let board: StatusBoard
    let clock: SystemClock
    var integrity: Integrity
    /// The ballot scanners' counters (Supervisor+Polls.swift).
    var counters: CounterBook
    /// The devices the database held at start, and whether the log was empty then.
    private let recorded: [USBDevice]
    private let firstStart: Bool
    private var ready = false
    /// Who waits for READY=1 (the log's audit).
    private var readyWaiters: [CheckedContinuation<Void, Never>] = []

    init(log: EventLog, store: StateStore, watcher: any DeviceSource, enforcer: Enforcer, board: StatusBoard,
         clock: SystemClock, integrity: Integrity, firstStart: Bool) throws(StoreError) {
        self.log = log
        self.store = store
        self.watcher = watcher
        self.enforcer = enforcer
        self.board = board
        self.clock = clock
        self.integrity = integrity
        self.recorded = try store.recordedDevices()
        self.counters = CounterBook(try store.counters())
        self.firstStart = firstStart
    }

    static func identityChanged(_ old: USBDevice, _ new: USBDevice) -> Bool {
        var old = old
        old.authorized = new.authorized
        return old != new
    }

    /// Records `observation`, decides and enforces what it brings, and updates the alarms.
    func observe(_ observation: DeviceObservation) async {
        let time = clock.now()
        var record = ObservationEvents.pending(for: observation, recorded: recorded, firstStart: firstStart, time: time)
        switch observation {
        case .present(let devices):
            record.drafts += enforcer.closeRootHubs(devices, time: time)
            for device in devices { record.drafts += decideDevice(device, time: time) }
        case .changed(.added(let device), _):
            record.drafts += decideDevice(device, time: time)
        case .changed(.changed(let old, let new), _) where Self.identityChanged(old, new):
            // Only a change of what the policy looks at is decided again, not the
            // authorization flip an enforcement write itself causes.
            record.drafts += decideDevice(new, time: time)
        case .changed(.removed(let device), _):
            enforcer.forgetInterfaces(of: device)
        case .interface(let event) where event.action == "add":
            record.drafts += decideInterface(event, time: time)
        default:
            break
        }
        let present: [USBDevice]
        if case .present(let devices) = observation { present = devices } else { present = watcher.unorderedDevices }
        let alarms = integrity.check(after: observation, present: { present }, time: time)
        record.drafts += alarms.drafts
        record.tables.alarmChanges += alarms.changes
        await log.record(record)
        board.devicesChanged(present: present, alarms: Array(integrity.book.open.values))
        if !ready, case .present = observation {
            board.ready()
            ready = true
            readyWaiters.forEach { $0.resume() }
            readyWaiters = []
        }
    }

    /// Returns once every device present at start is recorded and decided (READY=1).
    func untilReady() async {
        guard !ready else { return }
        await withCheckedContinuation { readyWaiters.append($0) }
    }

    /// The whole log's audit found `failure` before the checkpoint the start verified from:
    /// the critical alarm, with what verify-log will name.
    func logAuditFailed(_ failure: ChainVerifier.Failure) async {
        let detail = "the whole event log does not verify: \(failure); run nazoratd verify-log and keep the database"
        guard let (alarm, draft) = integrity.book.raise(
            Alarm(kind: .damagedDatabase, severity: .critical, subject: "log", detail: detail),
            phase: integrity.phase, time: clock.now()) else { return }
        await log.record(StoreBatch(drafts: [draft], alarmChanges: [alarm]))
        board.alarmsChanged(Array(integrity.book.open.values))
    }

    /// Seals the present devices as the commissioned inventory (an administrator's command).
    func seal(by peer: Peer, roles: @Sendable (USBDevice) -> Role) async -> Inventory {
        let time = clock.now()
        // The inventory puts them in port order.
        let present = watcher.unorderedDevices
        let inventory = Inventory(devices: present, role: roles)
        var record = StoreBatch(drafts: [Sealing.sealedDraft(inventory, time: time, by: peer)],
                                        inventory: inventory)
        let alarms = integrity.seal(inventory, present: present, time: time)
        record.drafts += alarms.drafts
        record.tables.alarmChanges += alarms.changes
        await log.record(record)
        _ = await log.checkpointHead()
        board.sealed(inventory, alarms: Array(integrity.book.open.values))
        return inventory
    }

    /// Why a command could not be carried out.
    enum CommandError: Error {
        case notFound(String)
        case invalid(String)
        case conflict(String)
        /// The polls cannot open as the station is (the zero report's problems).
        case notReady(String)
        case failed(String)
        /// A permanent decision's rule could not be written to the rule file.
        case policyNotWritten(String)
    }

    /// Acknowledges the open alarm `id` with `note`.
    func acknowledge(alarm id: Int64, note: String, by peer: Peer) async throws(CommandError) -> Alarm {
        let records = try? store.openAlarmRecords()
        guard let stored = records?.first(where: { $0.id == id })?.alarm else {
            throw .notFound("no open alarm with id \(id)")
        }
        guard let (change, acknowledged) = integrity.book.acknowledge(kind: stored.kind, subject: stored.subject,
                                                                      by: peer.description, note: note, time: clock.now())
        else { throw .notFound("alarm \(id) is no longer open") }
        var draft = acknowledged
        // Who acknowledged, in full: uid, gid, pid and command line.
        draft.payload = JSONText.encode(AcknowledgementPayload(kind: stored.kind, subject: stored.subject, id: id,
                                                               by: peer.description, note: note, peer: peer))
        await log.record(StoreBatch(drafts: [draft], alarmChanges: [change]))
        board.alarmsChanged(Array(integrity.book.open.values))
        var alarm = stored
        alarm.state = .acknowledged
        alarm.acknowledgedBy = peer.description
        alarm.note = note
        return alarm
    }

    /// Raises the outbox alarm when it is near its bound, clears it when it is not.
    func outboxPressure(near: Bool, detail: String) async {
        let time = clock.now()
        let change = near
            ? integrity.book.raise(Alarm(kind: .outboxNearFull, severity: .error, subject: "outbox", detail: detail),
                                   phase: integrity.phase, time: time)
            : integrity.book.clear(kind: .outboxNearFull, subject: "outbox", time: time)
        guard let (alarm, draft) = change else { return }
        await log.record(StoreBatch(drafts: [draft], alarmChanges: [alarm]))
        board.alarmsChanged(Array(integrity.book.open.values))
    }

    /// Records a refused request: who asked for what, and why not.
    func refused(_ request: String, peer: Peer, reason: String) async {
        await log.record(StoreBatch(drafts: [EventDraft(
            type: .controlDenied, severity: .warning, subject: "control",
            message: "control request refused: \(request) by \(peer.description) (\(peer.command)): \(reason)",
            payload: JSONText.encode(ControlAudit(request: request, peer: peer, reason: reason)), time: clock.now())]))
    }
}

/// The payload of an acknowledgement made over the control socket.
struct AcknowledgementPayload: Encodable {
    var kind: AlarmKind
    var subject: String
    var id: Int64
    var by: String
    var note: String
    var peer: Peer
}

/// Who did what over the control socket, as recorded in events.
struct ControlAudit: Encodable {
    var request: String
    var peer: Peer
    var reason: String?
}
