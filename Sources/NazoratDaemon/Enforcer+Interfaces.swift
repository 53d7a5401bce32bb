import NazoratAPI
import NazoratConfiguration
import NazoratCore
import NazoratLinux

/// Per-interface authorization: of a device the rules allowed, each interface the
/// interface policy cuts stays (or becomes) unauthorized, and the others are authorized.
/// With `interface_authorized_default=0` on the root hubs (enforce mode) the kernel creates
/// every interface unauthorized, so nothing is usable before it is decided.
extension Enforcer {
    /// What was decided of one device's interfaces: an interface seen both when its device
    /// is decided and in its own `add` uevent is decided once.
    struct InterfaceRecord: Sendable {
        /// The syspaths of the interfaces decided.
        var decided: Set<String> = []
        /// The interfaces cut (or, in monitor mode, that would be).
        var cuts: [DeviceDocument.CutInterface] = []
    }

    /// Decides those of `interfaces` of the allowed `device` (whose role is `role`) not
    /// decided yet and, in enforce mode, writes each one's `authorized` where it differs.
    /// One whose class cannot be read yet (its directory is there before its attributes)
    /// waits, unauthorized, for its own uevent: it is not marked decided.
    /// A cut, and an allow by an explicit entry, is an `interface.decision` event; an
    /// interface allowed because no entry applies is not (it follows the device's own
    /// decision), which keeps a coldplug of a thousand devices from doubling the log.
    /// Every write is an event of its own.
    func decideInterfaces(_ interfaces: [USBInterface], of device: USBDevice, role: Role,
                          time: EventTime) -> [EventDraft] {
        let current = enforcement
        var drafts: [EventDraft] = []
        for interface in interfaces {
            guard let type = interface.type else { continue }
            let decision = current.interfaces.decide(type, of: device, role: role, secondsOfDay: secondsOfDay())
            let cut = DeviceDocument.CutInterface(name: interface.name, type: type.description, by: decision.by ?? "")
            let isNew = interfaceRecords.withLock { records in
                guard records[device.syspath, default: InterfaceRecord()].decided.insert(interface.syspath).inserted
                else { return false }
                if decision.target == .block { records[device.syspath]?.cuts.append(cut) }
                return true
            }
            guard isNew else { continue }
            if decision.target == .block || decision.by != nil {
                drafts.append(Self.interfaceDraft(interface, type, of: device, role: role, decision, mode: current.mode,
                                                  time: time))
            }
            guard current.mode == .enforce else { continue }
            let value = decision.target == .allow ? "1" : "0"
            guard interface.authorized != (decision.target == .allow) else { continue }
            let result = writer.write(value, to: "authorized", of: interface.syspath)
            drafts.append(writeDraft(device, attribute: interface.name + "/authorized", value: value, result: result,
                                     time: time))
            // The kernel probes no driver for an interface authorized after it appeared: ask it to
            // (Documentation/ABI/testing/sysfs-bus-usb, INTERFACE/authorized).
            if decision.target == .allow, case .success = result {
                drafts.append(writeDraft(device, attribute: "drivers_probe", value: interface.name,
                                         result: writer.write(interface.name, to: "drivers_probe", of: Self.usbBus),
                                         time: time))
            }
        }
        return drafts
    }

    /// Where the USB bus's `drivers_probe` is.
    static let usbBus = "/sys/bus/usb"

    private struct InterfacePayload: Encodable {
        var interface: String
        var type: String
        var target: String
        var by: String
        var role: String
        var mode: String
        var id: String
    }

    private static func interfaceDraft(_ interface: USBInterface, _ type: InterfaceType, of device: USBDevice, role: Role,
                                       _ decision: InterfacePolicy.Decision, mode: Configuration.Mode,
                                       time: EventTime) -> EventDraft {
        let by = decision.by ?? "no interface policy entry"
        let verb = decision.target == .allow ? "allowed" : "cut"
        return EventDraft(
            type: .interfaceDecision, severity: decision.target == .allow ? .info : .warning, subject: device.port,
            message: "interface \(interface.name) \(type) of \(device.port) \(device.id) (\(role.rawValue)) \(verb) by \(by)"
                + (mode == .monitor ? " (monitor mode: not applied)" : ""),
            payload: JSONText.encode(InterfacePayload(interface: interface.name, type: type.description,
                                                      target: decision.target.rawValue, by: by, role: role.rawValue,
                                                      mode: mode.rawValue, id: device.id)),
            time: time)
    }

    /// The interfaces of `device` that are cut.
    func cutInterfaces(of device: USBDevice) -> [DeviceDocument.CutInterface] {
        interfaceRecords.withLock { $0[device.syspath]?.cuts ?? [] }
    }

    /// Forgets what was decided of the interfaces of a device that left.
    func forgetInterfaces(of device: USBDevice) {
        _ = interfaceRecords.withLock { $0.removeValue(forKey: device.syspath) }
    }
}
