import Glibc
import SystemPackage

/// Standard output and standard error, for the command-line tools: whole writes (EINTR and
/// short writes handled), and whether a stream is a terminal.
public enum StandardStream: Sendable {
    case output
    case error

    private var descriptor: FileDescriptor { self == .output ? .standardOutput : .standardError }

    /// Writes all of `bytes`; a closed pipe ends the write quietly (the reader went away).
    public func write(_ bytes: [UInt8]) {
        _ = try? descriptor.writeAll(bytes)
    }

    /// Writes `text`.
    public func write(_ text: String) {
        write(Array(text.utf8))
    }

    /// Whether the stream is a terminal (then progress and colour make sense).
    public var isTerminal: Bool { isatty(descriptor.rawValue) == 1 }
}
