import Foundation
import NazoratTestbed
import Testing

/// The repository root and the binaries built next to the test bundle.
enum Paths {
    static let repository = Repository.root
    static let fixtures = Repository.fixtures
    static let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    static let nazoratd = products + "/nazoratd"
    static let stationSim = products + "/nazorat-station-sim"
    static let nazoratctl = products + "/nazoratctl"

    static func fixture(_ name: String) throws -> Fixture {
        try Repository.fixture(name)
    }

    /// A testbed with the polling station and the `extra` fixtures present, for binaries run as children.
    static func station(_ extra: [String] = []) throws -> Testbed {
        try #require(Testbed.isPreloaded, "run these tests through `make test` (umockdev's preload library)")
        let testbed = Testbed()
        try testbed.add(fixture("polling-station"))
        for name in extra { try testbed.add(fixture(name)) }
        return testbed
    }

    /// Writes a daemon configuration (the shipped policy unless `rules` says otherwise) as
    /// `nazorat.toml` in `directory` (a fresh one by default); returns its path.
    static func writeConfig(station: String, mode: String = "monitor", stateDirectory: String = "state",
                            rules: String = repository + "/systemd/rules.conf",
                            in directory: String? = nil, extra: String = "") throws -> String {
        let path = try (directory ?? temporaryDirectory()) + "/nazorat.toml"
        try """
            station = "\(station)"
            mode = "\(mode)"
            state-dir = "\(stateDirectory)"
            socket = "control.sock"
            [policy]
            rules = "\(rules)"
            implicit = "block"
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh private directory for one test, removed when the test run ends.
    static func temporaryDirectory() throws -> String {
        try ScratchDirectory.forTheRun()
    }
}

/// The result of a command run to completion.
struct Completed {
    var status: Int32
    var stdout: Data
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` to completion with `environment` (and `stdin` as its input), capturing both outputs.
func runToCompletion(_ executable: String, _ arguments: [String], environment: [String: String],
                     stdin: Data? = nil) throws -> Completed {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    if stdin != nil { process.standardInput = input }
    try process.run()
    if let stdin {
        // On a thread of its own: a child that reads late must not block the test.
        Thread.detachNewThread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
    }
    // Read standard error on a thread of its own (not the concurrency pool, which blocking
    // reads could starve), so that neither pipe can fill up and block the child.
    let errReader = PipeReader(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = String(decoding: errReader.wait(), as: UTF8.self)
    return Completed(status: process.terminationStatus, stdout: outData, stderr: stderr)
}

/// Reads a pipe to its end on a dedicated thread.
private final class PipeReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// A long-running child whose standard error is collected line by line.
final class RunningProcess {
    let process = Process()
    let lines = AwaitableLog<String>()
    private let pipe = Pipe()

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardError = pipe
        process.standardOutput = pipe
        // Lines go through one stream and one consumer, so they are collected in the order written.
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let buffer = LineBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            for line in buffer.append(data, final: data.isEmpty) { continuation.yield(line) }
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
            }
        }
        let lines = lines
        Task { for await line in stream { await lines.append(line) } }
        try process.run()
    }

    /// Waits for a line containing `text`.
    func waitForLine(containing text: String, timeout: Duration = .seconds(30)) async throws {
        try await lines.wait(for: "a line containing \"\(text)\"", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// Splits a byte stream into lines; lines keep their raw bytes decoded leniently.
final class LineBuffer: @unchecked Sendable {
    private var pending = Data()
    private let lock = NSLock()

    func append(_ data: Data, final: Bool) -> [String] {
        lock.withLock {
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending = pending[pending.index(after: newline)...]
            }
            if final, !pending.isEmpty {
                lines.append(String(decoding: pending, as: UTF8.self))
                pending = Data()
            }
            return lines
        }
    }
}
