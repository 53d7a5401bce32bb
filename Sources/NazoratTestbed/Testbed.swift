import CUMockdev
import Foundation
import Glibc
import NazoratLinux

/// A simulated sysfs and udev (umockdev testbed) for tests and `make demo`.
///
/// This fakes what cannot exist on a build machine: a USB bus. Everything above it is
/// real: libudev enumerates the testbed's sysfs, and its monitor receives the uevents
/// sent here. A testbed is process-wide (`UMOCKDEV_DIR`), so only one may exist at a
/// time, and a process only sees it when `libumockdev-preload.so` is preloaded
/// (``isPreloaded``). Child processes see it with ``childEnvironment``.
public final class Testbed {
    private let raw: UnsafeMutablePointer<UMockdevTestbed>

    /// Why a fixture could not be loaded.
    public struct LoadError: Error, CustomStringConvertible {
        /// umockdev's message.
        public let description: String
    }

    /// Creates an empty testbed and points `UMOCKDEV_DIR` of this process at it.
    public init() {
        raw = umockdev_testbed_new()
        // The USB bus's drivers_probe, which umockdev (it makes devices only) lacks; the
        // per-interface authorization writes interface names to it.
        try? FileManager.default.createDirectory(atPath: rootDirectory + "/sys/bus/usb", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: rootDirectory + "/sys/bus/usb/drivers_probe", contents: nil)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(raw))
    }

    /// Whether this process runs under umockdev's preload library (and so sees the testbed).
    public static var isPreloaded: Bool {
        (getenv("LD_PRELOAD").map { String(cString: $0) } ?? "").contains("umockdev-preload")
    }

    /// The testbed's root directory (`UMOCKDEV_DIR`).
    public var rootDirectory: String { String(cString: umockdev_testbed_get_root_dir(raw)) }

    /// The environment a child process needs to see this testbed: `UMOCKDEV_DIR` and
    /// umockdev's preload library (after any library already preloaded).
    public var childEnvironment: [String: String] {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        environment["UMOCKDEV_DIR"] = rootDirectory
        let preload = environment["LD_PRELOAD"] ?? ""
        if !preload.contains("umockdev-preload") {
            environment["LD_PRELOAD"] = preload.isEmpty ? "libumockdev-preload.so.0" : preload + " libumockdev-preload.so.0"
        }
        return environment
    }

    /// Adds the devices described by `fixture` (umockdev's text format). umockdev sends an
    /// `add` uevent for each, parents first, as the kernel does on a hot-plug: a monitor
    /// running now sees a plug-in; a program started afterwards sees devices present at boot.
    public func add(_ fixture: Fixture) throws(LoadError) {
        var error: UnsafeMutablePointer<GError>?
        guard umockdev_testbed_add_from_string(raw, fixture.text, &error) != 0 else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            g_clear_error(&error)
            throw LoadError(description: "\(fixture.name): \(message)")
        }
    }

    /// Unplugs `fixture`: sends `remove` uevents, children first, then removes the devices.
    public func unplug(_ fixture: Fixture) {
        for syspath in fixture.syspaths.reversed() { uevent(syspath, "remove") }
        for syspath in fixture.syspaths.reversed() { removeDevice(syspath) }
    }

    /// Removes the device at `syspath` and the devices below it (children first, so that
    /// umockdev also drops their /sys/bus links) without any uevent, as if it left while
    /// nobody was listening.
    public func removeDevice(_ syspath: String) {
        for child in childDevices(of: syspath) { removeDevice(child) }
        umockdev_testbed_remove_device(raw, syspath)
    }

    /// The syspaths of the device directories directly below `syspath` (those with a `uevent`).
    private func childDevices(of syspath: String) -> [String] {
        guard let directory = opendir(rootDirectory + syspath) else { return [] }
        defer { closedir(directory) }
        var children: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != "..", entry.pointee.d_type == UInt8(DT_DIR),
                  access(rootDirectory + syspath + "/" + name + "/uevent", F_OK) == 0 else { continue }
            children.append(syspath + "/" + name)
        }
        return children
    }

    /// Sends a uevent (`add`, `remove`, `change`, `bind`, `unbind`) for the device at `syspath`.
    public func uevent(_ syspath: String, _ action: String) {
        umockdev_testbed_uevent(raw, syspath, action)
    }

    /// Writes a sysfs attribute of the device at `syspath`.
    public func setAttribute(_ syspath: String, _ name: String, _ value: String) {
        umockdev_testbed_set_attribute(raw, syspath, name, value)
    }

    /// Reads a sysfs attribute of the device at `syspath` (what a daemon wrote there).
    public func attribute(_ syspath: String, _ name: String) -> String? {
        guard let file = fopen(rootDirectory + syspath + "/" + name, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = fread(&buffer, 1, 4096, file)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Injects a fault through `libnazorat-fault.so` (Tests/Support/fault-shim.c), which must be
    /// preloaded before umockdev's library, in this process (where uevents are sent) and in the
    /// watching one. umockdev cannot overflow a monitor the way the kernel does (drop what does
    /// not fit, then ENOBUFS) nor make a device vanish during a read; the shim does both, and
    /// wedges a component for the watchdog tests.
    public func inject(_ fault: Fault) {
        let (name, content) = switch fault {
        case .monitorReceiveError(let code): ("fault-recvmsg", String(code))
        case .vanishOnRead(let syspath): ("fault-vanish", syspath)
        case .wedgeMonitorReceive: ("fault-wedge-recvmsg", "")
        case .wedgeDatabaseSync: ("fault-wedge-fsync", "")
        }
        write(fault: name, content)
    }

    /// Runs `body` with a monitor that holds only `capacity` more uevents: the rest of what
    /// `body` sends is dropped and the monitor's next receive fails with ENOBUFS.
    public func overflowingMonitor<T>(capacity: Int, _ body: () throws -> T) rethrows -> T {
        write(fault: "fault-overflow", String(capacity))
        defer { unlink(rootDirectory + "/fault-overflow") }
        return try body()
    }

    private func write(fault name: String, _ content: String) {
        // Whole or not at all, for the shim that reads it; not synced (the shim wedges fsync).
        try? SystemFile.replace(rootDirectory + "/" + name, with: Array(content.utf8), permissions: 0o644, durable: false)
    }

    /// A fault the shim can inject.
    public enum Fault: Sendable {
        /// The next receive on a udev monitor fails with this errno.
        case monitorReceiveError(Int32)
        /// The device at this syspath disappears when its `descriptors` file is opened.
        case vanishOnRead(syspath: String)
        /// The next receive on a udev monitor never returns (a wedged watcher).
        case wedgeMonitorReceive
        /// The next fsync of the state database never returns (a wedged event log).
        case wedgeDatabaseSync
    }
}
