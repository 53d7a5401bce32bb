import NazoratAPI
import NazoratCore

/// nazoratctl's human output for each answer of the API.
public enum Views {
    /// `nazoratctl status`.
    public static func status(_ status: StatusDocument, on terminal: Terminal) -> String {
        let devices = status.devices
        var lines = [
            "Station  \(Terminal.safe(status.station)): \(status.mode) mode, polls \(status.phase), "
                + "up \(TimeSpan.text(seconds: Int(status.uptime))), nazoratd \(status.version)",
            "Devices  \(devices.present) present, " + (devices.sealed.map { "\($0 - devices.missing)/\($0) sealed present, " } ?? "not sealed, ")
                + "\(devices.missing) missing, \(devices.blocked) blocked",
            "Log      " + (status.log.map { "seq \($0.seq), head \($0.hash.prefix(16))…" } ?? "empty"),
            "Storage  " + (status.storage.state == "ok" ? "ok" : terminal.paint("failing: \(Terminal.safe(status.storage.reason ?? ""))", severity: "critical")),
        ]
        if status.alarms.isEmpty {
            lines.append("Alarms   none")
        } else {
            lines.append("Alarms   \(status.alarms.count) open")
            let table = terminal.table(["ID", "SEVERITY", "KIND", "PORT", "STATE"], status.alarms.map {
                ["\($0.id)", $0.severity, $0.kind, $0.port, $0.state]
            })
            lines += table.split(separator: "\n").enumerated().map { index, line in
                "  " + (index == 0 ? String(line) : terminal.paint(String(line), severity: status.alarms[index - 1].severity))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The exit status of `nazoratctl status`: 0 healthy, 1 alarms open, 2 a critical alarm
    /// open or storage failing.
    public static func exitStatus(_ status: StatusDocument) -> Int32 {
        if status.storage.state != "ok" || status.alarms.contains(where: { $0.severity == "critical" }) { return 2 }
        return status.alarms.isEmpty ? 0 : 1
    }

    /// `nazoratctl devices`.
    public static func devices(_ list: DeviceList, on terminal: Terminal) -> String {
        terminal.table(["PORT", "ID", "ROLE", "POLICY", "AUTHORIZED", "SEALED", "PRODUCT", "SERIAL"], list.devices.map { entry in
            let device = entry.device
            // A device whose interfaces are cut is allowed, but not whole.
            let policy = entry.cutInterfaces.isEmpty ? entry.decision
                : entry.decision + " (cut " + entry.cutInterfaces.map(\.type).joined(separator: " ") + ")"
            return [device.port, "\(device.vendorId ?? "????"):\(device.productId ?? "????")", entry.role, policy,
                    device.authorized.map { $0 ? "yes" : "no" } ?? "-", entry.sealed.map { $0 ? "yes" : "NO" } ?? "-",
                    device.product.map { "\"\($0)\"" } ?? "-", device.serial.map { "\"\($0)\"" } ?? "-"]
        })
    }

    /// `nazoratctl devices PORT`.
    public static func device(_ entry: DeviceDocument, on terminal: Terminal) -> String {
        let device = entry.device
        let rows: [(String, String?)] = [
            ("port", device.port), ("id", "\(device.vendorId ?? "????"):\(device.productId ?? "????")"),
            ("role", entry.role), ("policy", entry.decision), ("authorized", device.authorized.map { $0 ? "yes" : "no" }),
            ("sealed", entry.sealed.map { $0 ? "yes" : "no" }), ("manufacturer", device.manufacturer),
            ("product", device.product), ("serial", device.serial), ("firmware", device.bcdDevice),
            ("class", device.deviceClass), ("interfaces", device.interfaces.joined(separator: " ")),
            ("interfaces cut", entry.cutInterfaces.isEmpty ? nil
                : entry.cutInterfaces.map { "\($0.name) \($0.type)" }.joined(separator: ", ")),
            ("connect type", device.connectType), ("parent", device.parentPort), ("hash", device.hash),
            ("parent hash", device.parentHash), ("syspath", device.syspath), ("descriptor error", device.descriptorError),
        ]
        return terminal.table(["FIELD", "VALUE"], rows.map { [$0.0, $0.1 ?? "-"] })
    }

    /// `nazoratctl alarms`.
    public static func alarms(_ list: AlarmList, on terminal: Terminal) -> String {
        guard !list.alarms.isEmpty else { return "no open alarms" }
        let table = terminal.table(["ID", "SEVERITY", "KIND", "PORT", "STATE", "DETAIL"], list.alarms.map {
            ["\($0.id)", $0.severity, $0.kind, $0.port, $0.state + ($0.acknowledgedBy.map { " by \($0)" } ?? ""), $0.detail]
        })
        return table.split(separator: "\n").enumerated().map { index, line in
            index == 0 ? String(line) : terminal.paint(String(line), severity: list.alarms[index - 1].severity)
        }.joined(separator: "\n")
    }

    /// `nazoratctl counters`.
    public static func counters(_ document: CountersDocument, on terminal: Terminal) -> String {
        "polls \(document.phase)\n" + terminal.table(["SCANNER", "PUBLIC", "PROTECTIVE"], document.scanners.map {
            [$0.port, $0.public.map(String.init) ?? "-", $0.protective.map(String.init) ?? (document.phase == "open" ? "(hidden)" : "-")]
        })
    }

    /// `nazoratctl results`.
    public static func results(_ report: FinalReportDocument, on terminal: Terminal) -> String {
        var text = "final report of \(Terminal.safe(report.station)), polls \(report.phase)\n"
            + terminal.table(["SCANNER", "PUBLIC", "PROTECTIVE"], report.scanners.map {
                [$0.port, $0.public.map(String.init) ?? "-", $0.protective.map(String.init) ?? "-"]
            })
        guard let contests = report.contests else { return text + "\nno per-contest totals submitted" }
        for contest in contests {
            text += "\n\n" + terminal.table([contest.contest, "VOTES"],
                                             contest.totals.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
        }
        return text
    }

    /// One event line of `nazoratctl events`.
    public static func event(_ event: EventDocument, on terminal: Terminal) -> String {
        terminal.paint("\(event.seq)  \(event.time)  \(event.severity)  \(event.type)  ", severity: event.severity)
            + Terminal.safe(event.message)
    }
}
