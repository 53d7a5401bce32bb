/// The kernel's names for USB sysfs entries, from which a device's place is known without
/// asking libudev.
///
/// The USB core names a root hub `usbN` and every other device `N-P[.P...]` (bus, then the
/// port path); an interface is `N-P[.P...]:C.I`. A host controller's own name (PCI
/// `0000:00:14.0`, platform `xhci-hcd.0.auto`) is neither. Reading a device's parent through
/// libudev builds a device object for every ancestor, each resolving its path one component at
/// a time; with 1,000 devices that was most of the system calls of a coldplug.
public enum USBSysfsName {
    /// Whether `name` (a sysfs directory's last component) is a usb_device: a root hub or a
    /// device behind a port, not an interface nor a controller.
    public static func isDevice(_ name: some StringProtocol) -> Bool {
        if name.hasPrefix("usb") {
            let number = name.dropFirst(3)
            return !number.isEmpty && number.allSatisfy(\.isASCIIDigit)
        }
        guard let dash = name.firstIndex(of: "-") else { return false }
        let bus = name[..<dash]
        let ports = name[name.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
        return !bus.isEmpty && bus.allSatisfy(\.isASCIIDigit)
            && !ports.isEmpty && ports.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    /// The parent directory of `syspath` and whether it is a usb_device; `nil` at the root.
    public static func parent(of syspath: String) -> (syspath: String, isDevice: Bool)? {
        guard let slash = syspath.lastIndex(of: "/"), slash != syspath.startIndex else { return nil }
        let parent = String(syspath[..<slash])
        let name = parent[parent.index(after: parent.lastIndex(of: "/") ?? parent.startIndex)...]
        return (parent, isDevice(name))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
