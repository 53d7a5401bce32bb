import Logging
import NazoratAPI
import NazoratConfiguration
import NazoratCore
import NazoratHTTP
import NazoratLinux
import NazoratStore
import ServiceLifecycle
import UnixSignals

/// The daemon in the foreground: systemd style, no fork, no pid file.
public enum Daemon {
    /// The version reported in events and, later, in status and heartbeats.
    public static let version = "0.2.0"

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully: a last event and a checkpoint.
    public static func run(configurationPath: String, configuration: Configuration, policy: Policy,
                           logger: Logger) async throws {
        let started = ContinuousClock.now
        FileLimit.raise()
        let clock = SystemClock()
        let lock = try StateLock(directory: configuration.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        let opened = try StateDirectory.open(directory: configuration.stateDirectory, station: configuration.station,
                                             now: clock.now())
        let metrics = StationMetrics()
        // Committed events for followers: one more than 4,096 behind is dropped and resumes.
        let feed = Broadcast<Event>(laggardLimit: 4096)
        let (inventory, alarms, phase) = (try opened.store.inventory(), try opened.store.openAlarms(),
                                          try opened.store.pollsPhase())
        let board = StatusBoard(inventory: inventory, alarms: alarms, phase: phase, counters: try opened.store.counters(),
                                metrics: metrics)
        let log = try EventLog(
            store: opened.store, signer: opened.signer,
            queueLimit: configuration.writeQueue, clock: clock.now,
            onStorageChange: { StorageReport.log($0, to: logger); board.storageChanged($0); metrics.storageChanged($0) },
            onCommitted: { events in
                events.forEach { CommittedEvent.log($0, to: logger, station: configuration.station) }
                metrics.committed(events)
                feed.publish(events)
            })
        let firstStart = await log.currentHead == nil
        await log.record(startupRecord(configuration: configuration, quarantine: opened.quarantine, time: clock.now()))

        let watcher = DeviceWatcher(logger: logger)
        let enforcer = Enforcer(.init(mode: configuration.mode, policy: policy, settings: configuration.policy,
                                      interfaces: configuration.interfaces),
                                secondsOfDay: clock.secondsOfDay)
        let supervisor = try Supervisor(
            log: log, store: opened.store, watcher: watcher, enforcer: enforcer, board: board, clock: clock,
            // The alarms as of now: the start-up record may have raised one (a damaged database).
            integrity: Integrity(inventory: inventory, alarms: try opened.store.openAlarms(), phase: phase),
            firstStart: firstStart)
        let outboxDoorbell = Broadcast<Void>(laggardLimit: 1)
        let outbox = configuration.uplink.map {
            Outbox(store: opened.store, signer: opened.signer, bound: $0.outboxBytes,
                   onAdded: { outboxDoorbell.publish([()]) })
        }
        let reporter = StationReporter(station: configuration.station, board: board, log: log, store: opened.store,
                                       enforcer: enforcer, started: started)
        let routes = ControlRoutes(configuration: configuration, board: board, log: log, store: opened.store,
                                   supervisor: supervisor, enforcer: enforcer, reporter: reporter, feed: feed,
                                   metrics: metrics, publicKey: opened.signer.publicKeyText, outbox: outbox,
                                   outboxDoorbell: outboxDoorbell, openAlarms: OpenAlarmCache(store: opened.store),
                                   reportWalks: ReportWalks(path: opened.store.path))
        let endpoint: ControlEndpoint = try SocketActivation.inheritedControlSocket().map { .inherited(descriptor: $0) }
            ?? .path(configuration.socketPath)
        let control = try await ControlServer.bind(endpoint, router: routes.route, logger: logger)
        switch endpoint {
        case .inherited(let descriptor): logger.info("control API listening on the socket systemd passed (fd \(descriptor))")
        case .path(let path): logger.info("control API listening on \(path)")
        case .tcp: break  // nazoratd never listens on TCP
        }
        let watch = DeviceWatchService(watcher: watcher, supervisor: supervisor)
        let reload = ReloadService(hangups: await UnixSignalsSequence(trapping: .sighup),
                                   configurationPath: configurationPath, running: configuration, supervisor: supervisor)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: watch, successTerminationBehavior: .gracefullyShutdownGroup,
                  failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: reload, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: control, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        // The audit ends once the log is walked; the daemon goes on.
        services.append(.init(service: LogAuditService(path: opened.store.path, supervisor: supervisor, logger: logger),
                              successTerminationBehavior: .ignore))
        if let outbox, let settings = configuration.uplink {
            services.append(.init(service: OutboxService(
                outbox: outbox, settings: settings, board: board, supervisor: supervisor, reporter: reporter,
                clock: clock, logger: logger)))
        }
        if let timeout = SystemdNotifier.watchdogTimeout() {
            services.append(.init(service: WatchdogService(period: timeout / 2, probes: [
                LivenessProbe(component: "udev watcher", answer: watcher.answer),
                LivenessProbe(component: "event log") { await log.answer() },
                LivenessProbe(component: "control socket", answer: control.answer),
            ], logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        SystemdNotifier.notify(["STATUS": "starting: enumerating devices"])
        try await group.run()
        SystemdNotifier.notify(["STOPPING": "1", "STATUS": "stopping: final checkpoint"])
        await log.record(StoreBatch(drafts: [EventDraft(
            type: .daemonStopped, severity: .notice, subject: "daemon", message: "nazoratd stopped",
            payload: "{}", time: clock.now())]))
        if let checkpoint = await log.checkpointHead() {
            // Not "seq": that key becomes NAZORAT_SEQ, which only an event's entry (with its
            // MESSAGE_ID and catalog entry) may carry.
            logger.info("checkpoint signed", metadata: ["checkpoint_seq": "\(checkpoint.seq)"])
        }
    }

    private struct StartPayload: Encodable {
        var version: String
        var mode: String
        var station: String
    }

    private struct QuarantinePayload: Encodable {
        var movedTo: String
        var reason: String
        var lastVerifiedSeq: Int64?
        var lastVerifiedHash: String?
    }

    /// `daemon.started`, preceded after a damaged database by `log.chain-restarted` and its alarm.
    private static func startupRecord(configuration: Configuration, quarantine: StateDirectory.Quarantine?,
                                      time: EventTime) -> StoreBatch {
        var record = StoreBatch(drafts: [])
        if let quarantine {
            let head = quarantine.lastVerifiedSeq.map { "seq \($0) hash \(quarantine.lastVerifiedHash ?? "")" } ?? "nothing"
            let message = "damaged database moved to \(quarantine.movedTo) (\(quarantine.reason)); "
                + "a new chain starts; the old one verifies up to \(head)"
            record.drafts.append(EventDraft(
                type: .logChainRestarted, severity: .critical, subject: "state", message: message,
                payload: JSONText.encode(QuarantinePayload(
                    movedTo: quarantine.movedTo, reason: quarantine.reason,
                    lastVerifiedSeq: quarantine.lastVerifiedSeq, lastVerifiedHash: quarantine.lastVerifiedHash)),
                time: time))
            record.tables.alarmChanges.append(.raise(Alarm(kind: .damagedDatabase, severity: .critical,
                                                    subject: "state", detail: message)))
        }
        record.drafts.append(EventDraft(
            type: .daemonStarted, severity: .notice, subject: "daemon",
            message: "nazoratd \(version) started: station \(configuration.station), \(configuration.mode.rawValue) mode",
            payload: JSONText.encode(StartPayload(version: version, mode: configuration.mode.rawValue,
                                                  station: configuration.station)),
            time: time))
        return record
    }
}

/// How committed events and storage trouble read in the log: one entry per event, with the
/// same seq and hash as the database, and journal fields (NAZORAT_*) for filtering.
enum CommittedEvent {
    static func log(_ event: Event, to logger: Logger, station: String) {
        let level: Logger.Level = switch event.draft.severity {
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
        var metadata: Logger.Metadata = [
            "MESSAGE_ID": "\(MessageID.forType(event.draft.type))", "NAZORAT_SEQ": "\(event.seq)",
            "NAZORAT_HASH": "\(event.hash)", "NAZORAT_EVENT": "\(event.draft.type)", "NAZORAT_STATION": "\(station)",
            "NAZORAT_SUBJECT": "\(event.draft.subject)",
        ]
        for (field, value) in EventFields.device(fromPayload: event.draft.payload) { metadata[field] = "\(value)" }
        if event.draft.eventType?.concernsAnAlarm == true, let kind = EventFields.string("kind", inPayload: event.draft.payload) {
            metadata["NAZORAT_ALARM"] = "\(kind)"
        }
        logger.log(level: level, "\(event.draft.message)", metadata: metadata)
    }
}

enum StorageReport {
    static func log(_ state: EventLog.StorageState, to logger: Logger) {
        switch state {
        case .healthy:
            logger.notice("storage alarm cleared: writes work again")
        case .failing(let reason, let queued, let lost):
            logger.error("storage alarm: writes fail (\(reason)); \(queued) events queued in memory, \(lost) lost")
        }
    }
}
