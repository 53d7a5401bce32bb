/// The Prometheus text exposition format (version 0.0.4), written directly: a scrape of
/// 11,000 stations' gauges through a metrics registry took 17 s (issue 16); this is one
/// string append per sample. Each family has its HELP and TYPE; label values are escaped
/// (backslash, double quote, line feed) as the format says.
struct PrometheusText {
    private(set) var text = ""
    /// Families written, each once.
    private var families: Set<String> = []

    /// One gauge family: its help and its samples (labels, value).
    mutating func gauge(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        family(name, type: "gauge", help, samples)
    }

    /// One family of `type` (gauge, counter).
    mutating func family(_ name: String, type: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        precondition(families.insert(name).inserted, "\(name) written twice")
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples {
            text += name
            if !labels.isEmpty {
                text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " " + Self.format(value) + "\n"
        }
    }

    /// A single unlabelled gauge.
    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help, [([], value)])
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
