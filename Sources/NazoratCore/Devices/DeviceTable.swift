/// A fixed-width, escaped text table of devices for technicians (`nazoratd devices`).
///
/// Every device string goes through ``DeviceString/escaped(limit:)`` and is cut to its
/// column, so a hostile product name can neither break the layout nor reach the terminal.
public enum DeviceTable {
    private static let columns: [(title: String, width: Int)] = [
        ("PORT", 10), ("ID", 9), ("CLASS", 5), ("BCD", 4), ("CONNECT", 9), ("INTERFACES", 20),
        ("MANUFACTURER", 20), ("PRODUCT", 28), ("SERIAL", 20),
    ]

    /// Renders `devices` with a header line, one line per device, sorted by port.
    public static func render(_ devices: [USBDevice]) -> String {
        var lines = [row(columns.map(\.title))]
        for device in PortOrder.sorted(devices, port: \.port) {
            lines.append(row([
                device.port, device.id, device.deviceClass.map(Hex.byte) ?? "-",
                device.bcdDevice.map(Hex.word) ?? "-", device.connectType?.rawValue ?? "-",
                device.interfaces.isEmpty ? "-" : device.interfaces.map(\.description).joined(separator: ","),
                text(device.manufacturer), text(device.product), text(device.serial),
            ]))
        }
        return lines.joined(separator: "\n")
    }

    private static func text(_ string: DeviceString?) -> String {
        guard let string else { return "-" }
        return string.escaped(limit: 64)
    }

    private static func row(_ cells: [String]) -> String {
        zip(cells, columns).map { cell, column in
            let shown = cell.count > column.width ? String(cell.prefix(column.width - 1)) + "…" : cell
            return shown + String(repeating: " ", count: column.width - shown.count)
        }.joined(separator: " ").trimmingTrailingSpaces()
    }
}

/// Orders USB port names naturally: `usb1 < usb2 < 1-1 < 1-1.2 < 1-1.10 < 1-2`.
public enum PortOrder {
    /// `items` in port order. Each port's key is computed once, not at every comparison:
    /// the daemon sorts every present device after each hot-plug, and splitting both ports
    /// at each of the n·log n comparisons dominated a 1,000-device hot-plug storm.
    public static func sorted<Item>(_ items: some Sequence<Item>, port: (Item) -> String) -> [Item] {
        items.map { (key: key(port($0)), item: $0) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map(\.item)
    }

    private static func key(_ port: String) -> [Int] {
        if port.hasPrefix("usb") { return [-1, Int(port.dropFirst(3)) ?? 0] }
        return port.split(whereSeparator: { $0 == "-" || $0 == "." }).map { Int($0) ?? Int.max }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[..<end])
    }
}
