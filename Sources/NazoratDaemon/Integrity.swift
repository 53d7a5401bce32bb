import NazoratConfiguration
import NazoratCore
import NazoratLinux
import NazoratStore

/// The seal and the drift alarms: what the daemon compares the present devices with.
struct Integrity {
    var inventory: Inventory?
    var book: AlarmBook
    var phase: PollsPhase
    /// Monotonic times of hot-plug additions per port (for flapping), pruned to the window.
    private var connects: [String: [Int64]] = [:]

    init(inventory: Inventory?, alarms: [Alarm], phase: PollsPhase) {
        self.inventory = inventory
        self.book = AlarmBook(alarms)
        self.phase = phase
    }

    /// Updates the alarms after `observation`, given the devices present now.
    mutating func check(after observation: DeviceObservation, present: () -> [USBDevice],
                        time: EventTime) -> (changes: [AlarmChange], drafts: [EventDraft]) {
        // Nothing to compare before a seal: the present devices are not even read.
        guard let inventory else { return ([], []) }
        if case .changed(.added(let device), .uevent("add")) = observation {
            connects[device.port, default: []].append(time.monotonicUSec)
        }
        connects = connects.mapValues { $0.filter { time.monotonicUSec - $0 <= DriftDetector.flapWindowUSec } }
        return reconcile(inventory: inventory, present: present(), time: time)
    }

    /// Puts a new seal in force and compares the present devices with it at once.
    mutating func seal(_ inventory: Inventory, present: [USBDevice],
                       time: EventTime) -> (changes: [AlarmChange], drafts: [EventDraft]) {
        self.inventory = inventory
        return reconcile(inventory: inventory, present: present, time: time)
    }

    private mutating func reconcile(inventory: Inventory, present: [USBDevice],
                                    time: EventTime) -> (changes: [AlarmChange], drafts: [EventDraft]) {
        let conditions = DriftDetector.conditions(inventory: inventory, present: present, connects: connects,
                                                  now: time.monotonicUSec)
        return book.reconcile(conditions, phase: phase, time: time)
    }
}

/// `nazoratd seal`: records the commissioned inventory offline (the daemon must be stopped).
public enum Sealing {
    /// Seals the present devices; returns the one-line summary.
    public static func seal(configuration: Configuration, policy: Policy) async throws -> String {
        let lock = try StateLock(directory: configuration.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        let clock = SystemClock()
        let opened = try StateDirectory.open(directory: configuration.stateDirectory, station: configuration.station,
                                             now: clock.now())
        let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 1,
                               clock: clock.now, onStorageChange: { _ in }, onCommitted: { _ in })
        let scan = try DeviceScanner.scan()
        let inventory = Inventory(devices: scan.devices) { device in
            policy.decide(device, secondsOfDay: clock.secondsOfDay()).role
        }
        let record = StoreBatch(drafts: [sealedDraft(inventory, time: clock.now())], inventory: inventory)
        await log.record(record)
        _ = await log.checkpointHead()
        guard let head = await log.currentHead, try opened.store.inventory() == inventory else {
            throw SealError(message: "the seal could not be written to \(opened.store.path)")
        }
        return "sealed \(inventory.items.count) devices at seq \(head.seq) (signed checkpoint)"
    }

    /// `inventory.sealed`, naming the administrator when the seal came over the control socket.
    static func sealedDraft(_ inventory: Inventory, time: EventTime, by peer: Peer? = nil) -> EventDraft {
        EventDraft(type: .inventorySealed, severity: .notice, subject: "inventory",
                   message: "inventory sealed: \(inventory.items.count) devices: "
                       + inventory.items.map { "\($0.port) \($0.id) \($0.role.rawValue)" }.joined(separator: ", ")
                       + (peer.map { " (by \($0.description), \($0.command))" } ?? " (offline, nazoratd seal)"),
                   payload: JSONText.encode(SealPayload(inventory: inventory, peer: peer)), time: time)
    }

    private struct SealPayload: Encodable {
        var inventory: Inventory
        var peer: Peer?

        func encode(to encoder: any Encoder) throws {
            try inventory.encode(to: encoder)
            if let peer {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(peer, forKey: .peer)
            }
        }

        private enum Key: String, CodingKey { case peer }
    }

    struct SealError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
