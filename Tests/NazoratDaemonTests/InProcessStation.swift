import Foundation
import NazoratConfiguration
import NazoratCore
@testable import NazoratDaemon
import NazoratLinux
import NazoratStore
import NazoratTestbed
import Synchronization

/// The devices a unit test says are present (the udev watcher's place).
final class ListedDevices: DeviceSource {
    private let devices: Mutex<[USBDevice]>

    init(_ devices: [USBDevice]) { self.devices = Mutex(devices) }

    var unorderedDevices: [USBDevice] { devices.withLock { $0 } }

    func set(_ new: [USBDevice]) { devices.withLock { $0 = new } }
}

/// Records what enforcement would write to sysfs, and fails the writes it is told to.
final class RecordingWriter: AuthorizationWriter {
    struct Write: Equatable, CustomStringConvertible {
        var syspath: String, attribute: String, value: String
        var description: String { "\(syspath)/\(attribute)=\(value)" }
    }

    private let state = Mutex<(writes: [Write], failing: Set<String>)>(([], []))

    var writes: [Write] { state.withLock { $0.writes } }

    /// Writes to `syspath/attribute` fail with EACCES from now on.
    func fail(_ syspath: String, _ attribute: String) { _ = state.withLock { $0.failing.insert(syspath + "/" + attribute) } }

    func write(_ value: String, to attribute: String, of syspath: String) -> Result<Void, SysfsAuthorizer.WriteError> {
        state.withLock { state in
            state.writes.append(Write(syspath: syspath, attribute: attribute, value: value))
            guard !state.failing.contains(syspath + "/" + attribute) else {
                return .failure(SysfsAuthorizer.WriteError(path: syspath + "/" + attribute, errno: EACCES))
            }
            return .success(())
        }
    }
}

/// A Supervisor with its Enforcer, event log and SQLite store in a scratch directory, fed
/// devices by the test: policy, enforcement, counters and alarms in-process, without root,
/// umockdev or HTTP.
struct InProcessStation {
    static let hub = USBDevice(syspath: "/sys/devices/pci0000:00/usb1", port: "usb1", vendorID: 0x1d6b, productID: 0x0002,
                               deviceClass: 9, interfaces: [.init(classCode: 9, subclass: 0, protocol: 0)],
                               authorized: true, hash: "hub")
    static let scanner = USBDevice(syspath: "/sys/devices/pci0000:00/usb1/1-1", port: "1-1", vendorID: 0x2c4e,
                                   productID: 0x0b01, serial: DeviceString("BS200-1"),
                                   interfaces: [.init(classCode: 0xff, subclass: 0, protocol: 0)], connectType: .hotplug,
                                   parentPort: "usb1", authorized: true, hash: "scanner")
    static let stick = USBDevice(syspath: "/sys/devices/pci0000:00/usb1/1-2", port: "1-2", vendorID: 0x0781,
                                 productID: 0x5567, serial: DeviceString("4C53"),
                                 interfaces: [.init(classCode: 8, subclass: 6, protocol: 0x50)], connectType: .hotplug,
                                 parentPort: "usb1", authorized: true, hash: "stick")
    static let peer = Peer(pid: 42, uid: 0, gid: 0, user: "root", groups: ["nazorat-admin"], command: "unit test")

    let scratch: ScratchDirectory
    let rules: String
    let devices: ListedDevices
    let writer = RecordingWriter()
    let store: StateStore
    let enforcer: Enforcer
    let supervisor: Supervisor

    init(mode: Configuration.Mode = .enforce, rules text: String = "allow id 1d6b:*\nallow id 2c4e:0b01 label \"role=ballot-scanner\"\n",
         devices present: [USBDevice] = [hub, scanner]) throws {
        scratch = try ScratchDirectory()
        rules = scratch.path + "/rules.conf"
        try text.write(toFile: rules, atomically: true, encoding: .utf8)
        let settings = PolicySettings(rulesPath: rules, implicit: .block)
        let clock = SystemClock()
        let opened = try StateDirectory.open(directory: scratch.path + "/state", station: "UNIT-0001", now: clock.now())
        store = opened.store
        let log = try EventLog(store: store, signer: opened.signer, queueLimit: 100, clock: clock.now,
                               onStorageChange: { _ in }, onCommitted: { _ in })
        enforcer = Enforcer(.init(mode: mode, policy: try PolicyFile.load(settings), settings: settings), writer: writer,
                            secondsOfDay: { 0 })
        devices = ListedDevices(present)
        let board = StatusBoard(inventory: nil, alarms: [], phase: .setup, counters: [:], metrics: StationMetrics())
        supervisor = try Supervisor(log: log, store: store, watcher: devices, enforcer: enforcer, board: board, clock: clock,
                                    integrity: Integrity(inventory: nil, alarms: [], phase: .setup), firstStart: true)
    }

    /// Coldplug: every listed device, as the watcher reports them at start.
    func start() async {
        await supervisor.observe(.present(devices.unorderedDevices))
    }

    /// A hot-plugged device.
    func plug(_ device: USBDevice) async {
        devices.set(devices.unorderedDevices + [device])
        await supervisor.observe(.changed(.added(device), cause: .uevent("add")))
    }

    /// A device unplugged.
    func unplug(_ device: USBDevice) async {
        devices.set(devices.unorderedDevices.filter { $0.syspath != device.syspath })
        await supervisor.observe(.changed(.removed(device), cause: .uevent("remove")))
    }

    /// What the control routes give a phase change: the whole log walked, as the daemon does.
    func reportContext() async -> Supervisor.ReportContext {
        Supervisor.ReportContext(station: "UNIT-0001", keyId: "unit", log: await LogWalk.state(path: store.path),
                                 clock: nil)
    }

    /// The types of the events recorded, in order.
    func eventTypes() throws -> [String] {
        try store.log().events.map(\.draft.type)
    }
}
