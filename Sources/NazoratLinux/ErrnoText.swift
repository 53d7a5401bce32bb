import Glibc

/// `strerror` text for an errno value, with the symbolic number.
public enum ErrnoText {
    /// e.g. `No buffer space available (errno 105)`.
    public static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

extension ErrnoText {
    /// The system's sentence alone, e.g. `No such file or directory`.
    public static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
