/// A progress line on standard error, redrawn in place, for a command that walks a whole
/// log: shown only when standard error is a terminal, so that a command whose output is
/// piped or logged prints only its result.
public struct ProgressLine: Sendable {
    private let enabled: Bool

    /// A line that shows when standard error is a terminal (or when `enabled` says so).
    public init(enabled: Bool = StandardStream.error.isTerminal) {
        self.enabled = enabled
    }

    /// Replaces the line with `text`.
    public func show(_ text: String) {
        guard enabled else { return }
        StandardStream.error.write("\r\u{1B}[K" + text)
    }

    /// Removes the line, before the result is printed.
    public func clear() {
        guard enabled else { return }
        StandardStream.error.write("\r\u{1B}[K")
    }
}
