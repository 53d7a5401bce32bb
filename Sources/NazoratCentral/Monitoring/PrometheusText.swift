/// The Prometheus text exposition format (version 0.0.4), written directly: a scrape of
/// 11,000 stations' gauges through a metrics registry took 17 s (issue 16); this is a few
/// string appends per sample. Each family has its HELP and TYPE; label values are escaped
/// (backslash, double quote, line feed) as the format says, once per set of labels: a
/// station's labels serve each of its families (`PrometheusLabels`).
struct PrometheusText {
    private(set) var text = ""
    /// Families written, each once.
    private var families: Set<String> = []

    /// One gauge family: its help and its samples (labels, value).
    mutating func gauge(_ name: String, _ help: String, _ samples: [(PrometheusLabels, Double)]) {
        family(name, type: "gauge", help, samples)
    }

    /// One family of `type` (gauge, counter).
    mutating func family(_ name: String, type: String, _ help: String, _ samples: [(PrometheusLabels, Double)]) {
        precondition(families.insert(name).inserted, "\(name) written twice")
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples {
            text += name
            if !labels.rendered.isEmpty {
                text += "{"
                text += labels.rendered
                text += "}"
            }
            text += " "
            text += Self.format(value)
            text += "\n"
        }
    }

    /// A single unlabelled gauge.
    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help, [(PrometheusLabels(), value)])
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A sample's labels as the format writes them between the braces, escaped once.
struct PrometheusLabels {
    private(set) var rendered = ""

    init() {}

    init(_ pairs: KeyValuePairs<String, String>) {
        for (name, value) in pairs { append(name, value) }
    }

    /// These labels and one more.
    func adding(_ name: String, _ value: String) -> PrometheusLabels {
        var labels = self
        labels.append(name, value)
        return labels
    }

    private mutating func append(_ name: String, _ value: String) {
        if !rendered.isEmpty { rendered += "," }
        rendered += name
        rendered += "=\""
        rendered += Self.escape(value)
        rendered += "\""
    }

    static func escape(_ value: String) -> String {
        // Most values need nothing: they are returned as they are, without a copy.
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
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
}
