import Glibc

/// A umockdev device description (`Tests/Fixtures/*.umockdev`).
public struct Fixture: Sendable {
    /// The file name without directory, e.g. `usb-stick.umockdev`.
    public let name: String
    /// The description in umockdev's text format.
    public let text: String

    /// Reads a fixture file.
    public init(path: String) throws(Testbed.LoadError) {
        self.name = String(path.split(separator: "/").last ?? "")
        self.text = try TextFile.read(path)
    }

    /// The fixture `name` in the fixtures directory.
    public init(named name: String, in directory: String) throws(Testbed.LoadError) {
        try self.init(path: directory + "/" + name)
    }

    /// One fixture per USB device, each with its interfaces, in file order: for plugging a
    /// large fixture device by device (one `add_from_string` at a time keeps umockdev's
    /// uevent sender within what a monitor socket holds).
    public var perDevice: [Fixture] {
        var devices: [[Substring]] = []
        for block in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
            let isInterface = block.contains("E: DEVTYPE=usb_interface")
            if isInterface, !devices.isEmpty { devices[devices.count - 1].append(block) } else { devices.append([block]) }
        }
        return devices.enumerated().map { index, blocks in
            Fixture(name: "\(name)#\(index + 1)", text: blocks.joined(separator: "\n\n") + "\n")
        }
    }

    private init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// The sysfs paths of the devices it describes (`/sys/devices/...`), in file order: parents first.
    public var syspaths: [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("P: ") }.map { "/sys" + $0.dropFirst(3) }
    }

}

/// Reads a whole text file (fixtures, recorded USBGuard output) without Foundation.
public enum TextFile {
    /// The file's contents, decoded as UTF-8.
    public static func read(_ path: String) throws(Testbed.LoadError) -> String {
        guard let file = fopen(path, "r") else {
            throw Testbed.LoadError(description: "\(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes += chunk.prefix(count)
            if count < chunk.count { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
