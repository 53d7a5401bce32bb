import FoundationEssentials
import NazoratCore
import NazoratLinux

/// `nazoratd devices`: the present devices read once, without a daemon or a socket.
public enum DeviceListing {
    /// The scan rendered as a JSON array (`json`) or an escaped table, both in port order, plus one warning
    /// line per device that could not be read.
    public static func render(json: Bool) throws -> (output: String, warnings: [String]) {
        let scan = try DeviceScanner.scan()
        guard json else { return (DeviceTable.render(scan.devices), scan.warnings) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(scan.inPortOrder.map(DeviceJSON.init))
        return (String(decoding: data, as: UTF8.self), scan.warnings)
    }
}
