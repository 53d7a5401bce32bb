/// A duration written the way systemd writes them (systemd.time(7)): `15s`, `2min`,
/// `1h 30min`, `1min30s`, or a bare number of seconds. Units: `us`/`usec`, `ms`/`msec`,
/// `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`, `d`/`day(s)`,
/// `w`/`week(s)`. The configuration accepts these wherever it takes a duration, so that a
/// technician who knows `systemctl` need not learn another syntax.
public enum TimeSpan {
    private static let microseconds: [String: Int64] = [
        "us": 1, "usec": 1, "µs": 1,
        "ms": 1_000, "msec": 1_000,
        "s": 1_000_000, "sec": 1_000_000, "second": 1_000_000, "seconds": 1_000_000,
        "m": 60_000_000, "min": 60_000_000, "minute": 60_000_000, "minutes": 60_000_000,
        "h": 3_600_000_000, "hr": 3_600_000_000, "hour": 3_600_000_000, "hours": 3_600_000_000,
        "d": 86_400_000_000, "day": 86_400_000_000, "days": 86_400_000_000,
        "w": 604_800_000_000, "week": 604_800_000_000, "weeks": 604_800_000_000,
    ]

    /// The span `text` names, in microseconds; nil when it is not a time span.
    public static func microseconds(_ text: String) -> Int64? {
        var rest = Substring(text.trimmingSpaces)
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(unit.count).drop { $0 == " " }
            // A bare number is seconds, as in systemd; only the last part may omit its unit.
            guard let scale = unit.isEmpty ? (rest.isEmpty ? 1_000_000 : nil) : microseconds[String(unit)] else {
                return nil
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: scale)
            guard !overflow, total <= Int64.max - product else { return nil }
            total += product
        }
        return total
    }

    /// `seconds` as the shortest systemd span: `15s`, `2min`, `1h 30min`.
    public static func text(seconds: Int) -> String {
        guard seconds > 0 else { return "0s" }
        var rest = seconds
        var parts: [String] = []
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
