/// A ``PollsReport`` as the receipt printer prints it: 42 columns of ASCII, which every
/// receipt printer's code page has. Device strings are escaped (``DeviceString/escaped(limit:)``)
/// and whatever is not ASCII after that becomes `\u{XXXX}`, so a hostile serial number can
/// neither garble the paper nor change what the commission signs.
public enum PollsReceipt {
    /// The printer's width in characters.
    public static let width = 42
    private static let labelWidth = 13

    /// The receipt, lines of at most ``width`` characters, each ending in a newline.
    public static func render(_ report: PollsReport) -> String {
        var out: [String] = []
        let rule = String(repeating: "=", count: width), thin = String(repeating: "-", count: width)
        out += [rule, centered(report.occasion == .zero ? "ZERO REPORT" : "CLOSING REPORT"),
                centered(report.occasion == .zero ? "opening of the polls" : "closing of the polls"), rule]
        if report.preview { out += wrap("PREVIEW: the polls are not open; this is what opening now would attest.") }
        out += field("Station", report.station)
        out += field("Time", time(report.realtimeUsec))
        out += field("Software", "nazoratd " + report.version)
        out += hex("Key id", report.keyId)
        out += field(report.occasion == .zero ? "Opened by" : "Closed by", report.by)
        out += [thin, "SEALED DEVICES"]
        if report.devices.isEmpty { out.append("  none: the station is not sealed") }
        for device in report.devices {
            out += columns(" " + device.port + " " + device.role.rawValue, device.present ? "present" : "MISSING")
            out += wrap("id " + device.id + (device.serial.map { " serial \"" + $0.escaped() + "\"" } ?? ""), indent: 3)
        }
        out += [thin, "BALLOT SCANNERS"]
        out += columns(" port", "public  protective")
        for scanner in report.scanners {
            out += columns(" " + scanner.port, number(scanner.public, width: 6) + "  " + number(scanner.protective, width: 10))
            if report.occasion == .closing {
                out += columns("   at opening", number(scanner.protectiveAtOpen, width: 10))
                out += columns("   ballots while open", number(scanner.ballots, width: 10))
            }
        }
        if report.scanners.isEmpty { out.append("  none") }
        out += [thin, "EVENT LOG"]
        out += field("Head seq", report.log.head.map { String($0.seq) } ?? "empty")
        if let head = report.log.head { out += hex("Head hash", head.hash) }
        out += field("verify-log", report.log.intact ? "intact, \(report.log.verifiedEvents) events"
                     : "BROKEN: " + (report.log.problem ?? "unknown"))
        out += field("Clock", report.clock.map(offset) ?? "not measured yet")
        out.append(thin)
        out += verdict(report)
        for problem in report.problems { out += wrap("- " + problem.detail, indent: 2) }
        if let force = report.force {
            out += wrap("OPENED BY FORCE by " + force.by + ": " + force.reason)
        }
        out += [thin, "Signatures of the commission:", "", "", "1. ____________________________________", "",
                "2. ____________________________________", "", "3. ____________________________________", rule]
        return out.map { $0 + "\n" }.joined()
    }

    private static func verdict(_ report: PollsReport) -> [String] {
        if report.occasion == .closing {
            return [report.problems.isEmpty ? "NO PROBLEMS FOUND" : "PROBLEMS: \(report.problems.count)"]
        }
        if report.isReady { return [report.problems.isEmpty ? "READY" : "READY, with notes:"] }
        return [report.force == nil ? "NOT READY" : "NOT READY, OPENED BY FORCE"]
    }

    /// "12 ms ahead of central (+/- 3 ms), measured by the uplink at 2026-12-06 07:58:02 UTC": the
    /// station's clock against central's, and when (the uplink measures it; nazoratd has no network).
    private static func offset(_ clock: CentralClock) -> String {
        // In Double: the negation of the most negative Int64 has no Int64.
        let ahead = Int64((-Double(clock.offsetUsec) / 1000).rounded())
        let margin = "(+/- \(clock.roundTripUsec / 2000) ms), measured by the uplink at "
            + time(clock.measuredUsec)
        if ahead == 0 { return "in step with central " + margin }
        return "\(abs(ahead)) ms \(ahead > 0 ? "ahead of" : "behind") central " + margin
    }

    private static func time(_ microseconds: Int64) -> String {
        let text = UTCTime.rfc3339(microseconds: microseconds)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " UTC"
    }

    private static func number(_ value: Int64?, width: Int) -> String {
        let text = value.map(String.init) ?? "-"
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private static func centered(_ text: String) -> String {
        String(repeating: " ", count: max(0, (width - text.count) / 2)) + text
    }

    /// `label` and `value` on one line when they fit, `value` right-aligned; wrapped otherwise.
    private static func columns(_ label: String, _ value: String) -> [String] {
        let (label, value) = (ascii(label), ascii(value))
        guard label.count + 1 + value.count <= width else { return wrap(label) + wrap(value, indent: 3) }
        return [label + String(repeating: " ", count: width - label.count - value.count) + value]
    }

    /// A digest under its label, 32 digits a line: a commission member can read it out.
    private static func hex(_ label: String, _ digits: String) -> [String] {
        [label] + chunks(ascii(digits), 32).map { "  " + $0 }
    }

    /// `label` in a column of its own, `value` beside it, wrapped under itself.
    private static func field(_ label: String, _ value: String) -> [String] {
        wrap(value, lead: label + String(repeating: " ", count: max(1, labelWidth - label.count)), hanging: labelWidth)
    }

    /// `text` wrapped at spaces (and within words longer than a line), continuation lines indented.
    public static func wrap(_ text: String, indent: Int = 0) -> [String] {
        wrap(text, lead: String(repeating: " ", count: indent), hanging: indent == 0 ? 0 : indent + 2)
    }

    /// `text` after `lead` on the first line, continuation lines indented by `hanging`. Runs of
    /// spaces are kept: a device string is shown as it is.
    private static func wrap(_ text: String, lead: String, hanging: Int) -> [String] {
        // Both clipped to half a line, so that every line has room for a character.
        var lines: [String] = [], line = String(lead.prefix(width / 2)), fresh = true
        let continuation = String(repeating: " ", count: min(hanging, width / 2))
        for word in ascii(text).split(separator: " ", omittingEmptySubsequences: false) {
            if !fresh, line.count + 1 + word.count > width {
                lines.append(line)
                (line, fresh) = (continuation, true)
            }
            var rest = (fresh ? "" : " ") + word
            while line.count + rest.count > width {
                let room = width - line.count
                lines.append(line + rest.prefix(room))
                (line, rest) = (continuation, String(rest.dropFirst(room)))
            }
            (line, fresh) = (line + rest, false)
        }
        lines.append(line)
        return lines
    }

    private static func chunks(_ text: String, _ size: Int) -> [String] {
        var rest = Substring(text), out: [String] = []
        repeat {
            out.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        } while !rest.isEmpty
        return out
    }

    /// Only printable ASCII: anything else, already escaped or not, as `\u{XXXX}`.
    public static func ascii(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "…" { out += "..." } else if (0x20...0x7E).contains(scalar.value) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}
