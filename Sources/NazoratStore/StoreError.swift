import NazoratLinux
import NazoratSigning

/// Why the state store could not do what was asked.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file is damaged or is not a Nazorat database.
    case corrupt(path: String, reason: String)
    /// The database belongs to another station.
    case wrongStation(path: String, recorded: String, configured: String)
    /// SQLite failed (disk full, read-only, I/O error, ...).
    case sqlite(String)
    /// A file operation failed.
    case file(FileError)
    /// The station key cannot be used.
    case key(StationKeyError)
    /// Another process (a running nazoratd) holds the state directory.
    case locked(path: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason): "\(path) is corrupt: \(reason)"
        case .wrongStation(let path, let recorded, let configured):
            "\(path) is the log of station \(recorded), not of \(configured)"
        case .sqlite(let message): message
        case .file(let error): error.description
        case .key(let error): error.description
        case .locked(let path): "\(path) is in use by another process (is nazoratd running?)"
        }
    }
}

