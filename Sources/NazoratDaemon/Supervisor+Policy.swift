import NazoratConfiguration
import NazoratCore
import NazoratLinux
import NazoratStore

/// The policy's changes: an administrator's allow or block (with `--permanent`, a rule
/// added to the rule file) and a SIGHUP reload.
///
/// Each reads and replaces the rule file and the enforcer's mode and policy without an
/// `await` in between, so that on this actor no other change can slip between the read
/// and the write: two permanent decisions both land in the file, in order, and a reload
/// never pairs one file's policy with another's mode.
extension Supervisor {
    /// What an administrator's decision did.
    struct Decided: Sendable {
        /// The device decided.
        var device: USBDevice
        /// Whether it was written to sysfs (enforce mode) or recorded only (monitor mode).
        var applied: Bool
        /// The rule added to the policy, for a permanent decision.
        var rule: String?
    }

    /// An administrator's decision for the device at `port`, applied now in enforce mode
    /// (recorded only in monitor mode); `permanent` also puts a rule for the device in
    /// front of the rule file.
    func decide(port: String, target: Rule.Target, permanent: Bool, by peer: Peer) async throws(CommandError) -> Decided {
        guard let device = watcher.unorderedDevices.first(where: { $0.port == port }) else {
            throw .notFound("no USB device at port \(DeviceString(port).escaped(limit: 64))")
        }
        var current = enforcer.enforcement
        var rule: String?
        if permanent {
            let text = RuleWriter.rule(for: device, viaPort: true, role: enforcer.role(of: device), target: target)
            do {
                current.policy = try PolicyFile.prepend(
                    text, comment: "added by \(peer.description) over the control socket", to: current.settings)
            } catch {
                throw .policyNotWritten(error.description)
            }
            enforcer.replace(current)
            rule = text
        }
        let time = clock.now()
        let drafts = [AdministratorDecision.draft(device, target: target, by: peer, rule: rule, mode: current.mode,
                                                  time: time)]
            + enforcer.apply(target, to: device, mode: current.mode, time: time)
        await log.record(StoreBatch(drafts: drafts))
        return Decided(device: device, applied: current.mode == .enforce, rule: rule)
    }

    /// Loads the configuration at `path` and its rule file and puts them in force for the
    /// decisions that follow; a bad file, or one that changes what needs a restart, is
    /// refused and the running configuration stays. Either way the outcome is an event.
    func reload(configurationAt path: String, running: Configuration) async {
        await log.record(StoreBatch(drafts: [reloadDraft(path: path, running: running, time: clock.now())]))
    }

    private func reloadDraft(path: String, running: Configuration, time: EventTime) -> EventDraft {
        let configuration: Configuration
        let policy: Policy
        do {
            configuration = try Configuration.load(path: path)
            policy = try PolicyFile.load(configuration.policy)
        } catch let error as ConfigurationError {
            return Self.reloadRefused(error.description, time: time)
        } catch let error as PolicyFile.LoadError {
            return Self.reloadRefused(error.description, time: time)
        } catch {
            return Self.reloadRefused("\(error)", time: time)
        }
        guard configuration.station == running.station, configuration.stateDirectory == running.stateDirectory,
              configuration.socketPath == running.socketPath, configuration.uplink == running.uplink else {
            return Self.reloadRefused("station, state-dir, socket and [uplink] cannot change without a restart", time: time)
        }
        enforcer.replace(Enforcer.Enforcement(mode: configuration.mode, policy: policy, settings: configuration.policy,
                                              interfaces: configuration.interfaces))
        return EventDraft(
            type: .configReloaded, severity: .notice, subject: "daemon",
            message: "configuration reloaded: \(configuration.mode.rawValue) mode, \(policy.rules.count) rules "
                + "from \(configuration.policy.rulesPath), implicit \(policy.implicit.rawValue)",
            payload: JSONText.encode(["mode": configuration.mode.rawValue, "rules": configuration.policy.rulesPath,
                                      "implicit": policy.implicit.rawValue]),
            time: time)
    }

    private static func reloadRefused(_ reason: String, time: EventTime) -> EventDraft {
        EventDraft(type: .configReloadRefused, severity: .error, subject: "daemon",
                   message: "reload refused, the previous configuration stays in force: \(reason)",
                   payload: JSONText.encode(["reason": reason]), time: time)
    }
}

/// The event of an administrator's allow or block.
enum AdministratorDecision {
    private struct Payload: Encodable {
        var target: String
        var id: String
        var hash: String?
        var mode: String
        var rule: String?
        var peer: Peer
    }

    static func draft(_ device: USBDevice, target: Rule.Target, by peer: Peer, rule: String?,
                      mode: Configuration.Mode, time: EventTime) -> EventDraft {
        let verb = target == .allow ? "allowed" : "blocked"
        return EventDraft(
            type: .deviceOverride, severity: .notice, subject: device.port,
            message: "\(device.port) \(device.id) \(verb) by \(peer.description) (\(peer.command))"
                + (rule == nil ? "" : "; a rule was added to the policy")
                + (mode == .monitor ? " (monitor mode: not applied)" : ""),
            payload: JSONText.encode(Payload(target: target.rawValue, id: device.id, hash: device.hash,
                                             mode: mode.rawValue, rule: rule, peer: peer)),
            time: time)
    }
}

extension Supervisor {
    /// Decides `device` and, if it is allowed, the interfaces it has already.
    func decideDevice(_ device: USBDevice, time: EventTime) -> [EventDraft] {
        let (decision, drafts) = enforcer.decideAndApply(device, time: time)
        guard decision.target == .allow else { return drafts }
        return drafts + enforcer.decideInterfaces(InterfaceReader.interfaces(ofDeviceAt: device.syspath, port: device.port),
                                                  of: device, role: decision.role, time: time)
    }

    /// Decides an interface that appeared (the kernel creates them once the device is
    /// authorized); one of a device not known yet is decided with its device.
    func decideInterface(_ event: InterfaceEvent, time: EventTime) -> [EventDraft] {
        guard let device = watcher.unorderedDevices.first(where: { $0.port == event.devicePort }) else { return [] }
        let decision = enforcer.decision(for: device)
        guard decision.target == .allow else { return [] }
        return enforcer.decideInterfaces([InterfaceReader.interface(named: event.name, at: device.syspath + "/" + event.name)],
                                         of: device, role: decision.role, time: time)
    }
}
