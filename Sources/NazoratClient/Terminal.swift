import NazoratAPI
import NazoratLinux

/// How nazoratctl prints for people: aligned columns, colour only on a terminal and never
/// with NO_COLOR (https://no-color.org), and nothing that could drive the terminal.
public struct Terminal: Sendable {
    /// Whether to colour the output.
    public let colour: Bool

    /// The terminal on standard output, given the environment.
    public init(environment: [String: String]) {
        colour = StandardStream.output.isTerminal && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
    }

    /// A terminal with colour on or off.
    public init(colour: Bool) {
        self.colour = colour
    }

    /// Severity colours: red for error and critical, yellow for warning.
    public func paint(_ text: String, severity: String) -> String {
        guard colour else { return text }
        switch severity {
        case "critical", "error": return "\u{1B}[31m" + text + "\u{1B}[0m"
        case "warning": return "\u{1B}[33m" + text + "\u{1B}[0m"
        default: return text
        }
    }

    /// `text` with every control character, C1 code, bidi control and invisible format
    /// character shown as `\u{XXXX}`. The daemon escapes device strings already; this is the
    /// second line of defence, for any text that reaches a terminal.
    /// With `keepingLines`, line feeds stay (for a file's text).
    public static func safe(_ text: String, keepingLines: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let dangerous = (value < 0x20 && !(keepingLines && value == 0x0A)) || (0x7F...0x9F).contains(value) || (0x200B...0x200F).contains(value)
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x061C
                || value == 0xFEFF
            if dangerous {
                out += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `rows` under `header`, each column as wide as its widest cell (display width counted
    /// in characters), separated by two spaces; the last column is not padded.
    public func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows.map { row in row.map { Self.safe($0) } }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        let lines: [String] = all.map { row in
            let cells: [String] = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }
            return cells.joined(separator: "  ")
        }
        return lines.joined(separator: "\n")
    }
}
