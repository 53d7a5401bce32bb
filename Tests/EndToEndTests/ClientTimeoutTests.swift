import Foundation
import Testing

/// nazoratctl against a socket that accepts connections and never answers: what a socket
/// unit does while nazoratd is stopped, starting or crash-looping behind it. Regression test
/// for the real-station issue: `nazoratctl status` waited for ever (a 20 s timeout ended it).
@Suite struct ClientTimeoutTests {
    /// A listening Unix socket whose connections the kernel completes (the backlog) and
    /// nobody reads; closed by the caller.
    static func silentListener(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        try #require(UnixHTTP.bind(fd, to: path) == 0 && listen(fd, 16) == 0, "bind/listen \(path): errno \(errno)")
        return fd
    }

    @Test func aDaemonThatNeverAnswersEndsWithExitTwoAndSaysWhatToDo() throws {
        let directory = try Paths.temporaryDirectory()
        let path = directory + "/control.sock"
        let listener = try Self.silentListener(at: path)
        defer { close(listener) }
        for command in [["status"], ["events", "-f"]] {
            let result = try runToCompletion(Paths.nazoratctl, command + ["--socket", path, "--timeout", "1"],
                                             environment: [:])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("nazoratd did not answer at \(path) within 1 s"), "\(result.stderr)")
            #expect(result.stderr.contains("systemctl status nazoratd"), "\(result.stderr)")
        }
    }
}
