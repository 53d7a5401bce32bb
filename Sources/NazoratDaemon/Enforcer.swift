import NazoratAPI
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
    /// What decisions are made with: the mode, the policy and the rule file it came from.
    /// Replaced whole, and only by the Supervisor, so that a reload and a permanent
    /// decision never mix one's mode with the other's policy.
    struct Enforcement: Sendable {
        var mode: Configuration.Mode
        var policy: Policy
        var settings: PolicySettings
        /// Which interfaces of allowed devices are cut.
        var interfaces: InterfacePolicy = .shipped
    }

    private let state: Mutex<Enforcement>
    /// What was decided of each allowed device's interfaces, by device syspath.
    let interfaceRecords = Mutex<[String: InterfaceRecord]>([:])
    let writer: any AuthorizationWriter
    let secondsOfDay: @Sendable () -> Int

    init(_ enforcement: Enforcement, writer: any AuthorizationWriter = SysfsWriter(),
         secondsOfDay: @escaping @Sendable () -> Int) {
        state = Mutex(enforcement)
        self.writer = writer
        self.secondsOfDay = secondsOfDay
    }

    /// The mode, policy and rule file in force.
    var enforcement: Enforcement { state.withLock { $0 } }

    /// The mode in force.
    var mode: Configuration.Mode { state.withLock { $0.mode } }

    /// What the policy in force decides for `device`, without applying it.
    func decision(for device: USBDevice) -> Policy.Decision {
        state.withLock { $0.policy }.decide(device, secondsOfDay: secondsOfDay())
    }

    /// What the policy in force decides for each of `devices`: one policy, one time of day.
    func decisions(for devices: [USBDevice]) -> [Policy.Decision] {
        let policy = state.withLock { $0.policy }
        let seconds = secondsOfDay()
        return devices.map { policy.decide($0, secondsOfDay: seconds) }
    }

    /// The role of `device`: from the matching rule's label, else the udev hint or the interfaces.
    func role(of device: USBDevice) -> Role {
        decision(for: device).role
    }

    /// Puts a new mode, policy and rule file in force for the decisions that follow (the Supervisor's to call).
    func replace(_ enforcement: Enforcement) {
        state.withLock { $0 = enforcement }
    }

    /// Decides `device` and, in enforce mode, applies the decision; returns the decision
    /// too, so that its interfaces are decided with the same role (one policy evaluation).
    func decideAndApply(_ device: USBDevice, time: EventTime) -> (Policy.Decision, [EventDraft]) {
        let current = enforcement
        let decision = current.policy.decide(device, secondsOfDay: secondsOfDay())
        return (decision, [decisionDraft(device, decision, mode: current.mode, time: time)]
            + apply(decision.target, to: device, mode: current.mode, time: time))
    }

    /// In enforce mode, writes what `target` means for `device` and records each write;
    /// in monitor mode nothing.
    func apply(_ target: Rule.Target, to device: USBDevice, mode: Configuration.Mode, time: EventTime) -> [EventDraft] {
        guard mode == .enforce else { return [] }
        return writes(for: target, device: device).map { attribute, value in
            let result = writer.write(value, to: attribute, of: device.syspath)
            return writeDraft(device, attribute: attribute, value: value, result: result, time: time)
        }
    }

    /// At start in enforce mode: new devices, and the interfaces of every device, wait
    /// unauthorized until the policy decides (fail closed).
    func closeRootHubs(_ devices: [USBDevice], time: EventTime) -> [EventDraft] {
        guard mode == .enforce else { return [] }
        return devices.filter { $0.port.hasPrefix("usb") }.flatMap { hub in
            ["authorized_default", "interface_authorized_default"].map { attribute in
                writeDraft(hub, attribute: attribute, value: "0",
                           result: writer.write("0", to: attribute, of: hub.syspath), time: time)
            }
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
        let role = decision.role
        let by = decision.ruleLine.map { "rule at line \($0)" } ?? "the implicit target"
        let verb = switch decision.target {
        case .allow: "allowed"
        case .block: "blocked"
        case .reject: "rejected"
        }
        return EventDraft(
            type: .policyDecision, severity: decision.target == .allow ? .info : .warning, subject: device.port,
            message: "policy: \(device.port) \(device.id) (\(role.rawValue)) \(verb) by \(by)"
                + (mode == .monitor ? " (monitor mode: not applied)" : ""),
            payload: JSONText.encode(DecisionPayload(target: decision.target.rawValue, rule: decision.ruleLine,
                                                     role: role.rawValue, mode: mode.rawValue, id: device.id,
                                                     hash: device.hash)),
            time: time)
    }

    func writeDraft(_ device: USBDevice, attribute: String, value: String,
                            result: Result<Void, SysfsAuthorizer.WriteError>, time: EventTime) -> EventDraft {
        switch result {
        case .success:
            EventDraft(type: .enforcementWrite, severity: .info, subject: device.port,
                       message: "wrote \(attribute)=\(value) for \(device.port)",
                       payload: JSONText.encode(["attribute": attribute, "value": value, "result": "ok"]), time: time)
        case .failure(let error):
            EventDraft(type: .enforcementFailed, severity: .error, subject: device.port,
                       message: "enforcement failed for \(device.port): \(error)",
                       payload: JSONText.encode(["attribute": attribute, "value": value, "result": error.description]),
                       time: time)
        }
    }
}
