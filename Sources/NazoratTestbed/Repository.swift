import Foundation
import Glibc

/// Where the tests find the project: the repository root and its umockdev fixtures.
public enum Repository {
    /// The repository root (this file is Sources/NazoratTestbed/Repository.swift).
    public static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    /// `Tests/Fixtures`.
    public static let fixtures = root + "/Tests/Fixtures"

    /// The fixture `Tests/Fixtures/NAME.umockdev`.
    public static func fixture(_ name: String) throws(Testbed.LoadError) -> Fixture {
        try Fixture(named: name + ".umockdev", in: fixtures)
    }
}

/// A private directory for one test, removed with the value (or, for
/// ``forTheRun()``, when the test process exits), so that a test run leaves no litter.
public final class ScratchDirectory: Sendable {
    /// The directory.
    public let path: String

    /// A fresh directory under the system's temporary directory.
    public init() throws {
        path = try Self.make(in: FileManager.default.temporaryDirectory.path)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A fresh directory that lives until the test process exits (for tests that hand a
    /// path to a child process and do not keep a value), under one parent removed at exit.
    public static func forTheRun() throws -> String {
        try make(in: runParent)
    }

    private static let runParent: String = {
        let parent = FileManager.default.temporaryDirectory.path + "/nazorat-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: ScratchDirectory.runParent) }
        return parent
    }()

    private static func make(in parent: String) throws -> String {
        let path = parent + "/nazorat-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
