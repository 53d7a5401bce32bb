import Glibc
import NazoratCore

/// One interface of a USB device as sysfs lists it, under the device (`1-3:1.0`).
public struct USBInterface: Sendable, Equatable {
    /// The kernel's name: `<port>:<configuration>.<interface>`.
    public var name: String
    /// Its sysfs directory (where `authorized` is).
    public var syspath: String
    /// Class, subclass and protocol, nil when unreadable.
    public var type: InterfaceType?
    /// Its `authorized` attribute, nil when unreadable.
    public var authorized: Bool?

    public init(name: String, syspath: String, type: InterfaceType?, authorized: Bool?) {
        self.name = name
        self.syspath = syspath
        self.type = type
        self.authorized = authorized
    }
}

/// Reads the interfaces of a device from sysfs: the per-interface authorization works on
/// them, since the kernel creates them (unauthorized, with `interface_authorized_default=0`)
/// only after the device itself is authorized.
public enum InterfaceReader {
    /// The interfaces of the device at `syspath` whose port is `port`, in name order; empty
    /// when it has none (yet) or vanished.
    public static func interfaces(ofDeviceAt syspath: String, port: String) -> [USBInterface] {
        guard let listing = opendir(syspath) else { return [] }
        defer { closedir(listing) }
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(port + ":") { names.append(name) }
        }
        return names.sorted().map { interface(named: $0, at: syspath + "/" + $0) }
    }

    /// The interface at `syspath`.
    public static func interface(named name: String, at syspath: String) -> USBInterface {
        func byte(_ attribute: String) -> UInt8? {
            (try? SysfsAttributes.read(syspath + "/" + attribute)).flatMap { $0 }
                .flatMap { UInt8(String(decoding: $0, as: UTF8.self), radix: 16) }
        }
        let type = byte("bInterfaceClass").flatMap { classCode in
            byte("bInterfaceSubClass").flatMap { subclass in
                byte("bInterfaceProtocol").map { InterfaceType(classCode: classCode, subclass: subclass, protocol: $0) }
            }
        }
        let authorized = (try? SysfsAttributes.read(syspath + "/authorized")).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self) == "1" }
        return USBInterface(name: name, syspath: syspath, type: type, authorized: authorized)
    }
}
