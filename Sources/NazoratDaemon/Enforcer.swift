import NazoratConfiguration
import NazoratCore
import NazoratLinux
import NazoratStore
import Synchronization

/// Applies policy decisions to devices and records what it did.
///
/// In `monitor` mode it only decides and records. In `enforce` mode: allow writes
/// `authorized=1` when the device is not authorized; block writes `authorized=0`;
/// reject first deauthorizes (so that a device whose removal fails is at least
/// blocked: fail closed, unlike USBGuard, which removes without deauthorizing) and then
/// writes `remove=1`. Every decision and every write, with its result, is an event.
final class Enforcer: Sendable {
    private let state: Mutex<(mode: Configuration.Mode, policy: Policy)>
    private let secondsOfDay: @Sendable () -> Int

    init(mode: Configuration.Mode, policy: Policy, secondsOfDay: @escaping @Sendable () -> Int) {
        state = Mutex((mode, policy))
        self.secondsOfDay = secondsOfDay
    }

    /// The mode in force.
    var mode: Configuration.Mode { state.withLock { $0.mode } }

    /// The policy in force.
    var policy: Policy { state.withLock { $0.policy } }

    /// What the policy in force decides for `device`, without applying it.
    func decision(for device: USBDevice) -> Policy.Decision {
        policy.decide(device, secondsOfDay: secondsOfDay())
    }

    /// The role of `device`: from the matching rule's label, else the udev hint or the interfaces.
    func role(of device: USBDevice) -> Role {
        decision(for: device).role ?? Role.guess(for: device)
    }

    /// Puts a reloaded mode and policy in force for the decisions that follow.
    func replace(mode: Configuration.Mode, policy: Policy) {
        state.withLock { $0 = (mode, policy) }
    }

    /// Decides `device` and, in enforce mode, applies the decision.
    func decideAndApply(_ device: USBDevice, time: EventTime) -> [EventDraft] {
        let (mode, policy) = state.withLock { ($0.mode, $0.policy) }
        let decision = policy.decide(device, secondsOfDay: secondsOfDay())
        return [decisionDraft(device, decision, mode: mode, time: time)] + apply(decision.target, to: device, time: time)
    }

    /// In enforce mode, writes what `target` means for `device` and records each write;
    /// in monitor mode nothing.
    func apply(_ target: Rule.Target, to device: USBDevice, time: EventTime) -> [EventDraft] {
        guard mode == .enforce else { return [] }
        return writes(for: target, device: device).map { attribute, value in
            let result = SysfsAuthorizer.write(value, to: attribute, of: device.syspath)
            return writeDraft(device, attribute: attribute, value: value, result: result, time: time)
        }
    }

    /// At start in enforce mode: new devices wait unauthorized until the policy decides (fail closed).
    func closeRootHubs(_ devices: [USBDevice], time: EventTime) -> [EventDraft] {
        guard mode == .enforce else { return [] }
        return devices.filter { $0.port.hasPrefix("usb") }.map { hub in
            writeDraft(hub, attribute: "authorized_default", value: "0",
                       result: SysfsAuthorizer.write("0", to: "authorized_default", of: hub.syspath), time: time)
        }
    }

    private func writes(for target: Rule.Target, device: USBDevice) -> [(String, String)] {
        switch target {
        case .allow: device.authorized == true ? [] : [("authorized", "1")]
        case .block: device.authorized == false ? [] : [("authorized", "0")]
        case .reject: [("authorized", "0"), ("remove", "1")]
        }
    }

    private struct DecisionPayload: Encodable {
        var target: String
        var rule: Int?
        var role: String
        var mode: String
        var id: String
        var hash: String?
    }

    private func decisionDraft(_ device: USBDevice, _ decision: Policy.Decision, mode: Configuration.Mode,
                               time: EventTime) -> EventDraft {
        let role = decision.role ?? Role.guess(for: device)
        let by = decision.ruleLine.map { "rule at line \($0)" } ?? "the implicit target"
        let verb = switch decision.target {
        case .allow: "allowed"
        case .block: "blocked"
        case .reject: "rejected"
        }
        return EventDraft(
            type: "policy.decision", severity: decision.target == .allow ? .info : .warning, subject: device.port,
            message: "policy: \(device.port) \(device.id) (\(role.rawValue)) \(verb) by \(by)"
                + (mode == .monitor ? " (monitor mode: not applied)" : ""),
            payload: JSONText.encode(DecisionPayload(target: decision.target.rawValue, rule: decision.ruleLine,
                                                     role: role.rawValue, mode: mode.rawValue, id: device.id,
                                                     hash: device.hash)),
            time: time)
    }

    private func writeDraft(_ device: USBDevice, attribute: String, value: String,
                            result: Result<Void, SysfsAuthorizer.WriteError>, time: EventTime) -> EventDraft {
        switch result {
        case .success:
            EventDraft(type: "enforcement.write", severity: .info, subject: device.port,
                       message: "wrote \(attribute)=\(value) for \(device.port)",
                       payload: JSONText.encode(["attribute": attribute, "value": value, "result": "ok"]), time: time)
        case .failure(let error):
            EventDraft(type: "enforcement.failed", severity: .error, subject: device.port,
                       message: "enforcement failed for \(device.port): \(error)",
                       payload: JSONText.encode(["attribute": attribute, "value": value, "result": error.description]),
                       time: time)
        }
    }
}
