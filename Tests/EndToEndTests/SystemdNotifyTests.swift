import Foundation
import NazoratTestbed
import Testing

/// sd_notify against a real datagram NOTIFY_SOCKET, and socket activation with
/// systemd-socket-activate (systemd is not PID 1 here; these are the parts of its protocol
/// that can run without it).
@Suite(.serialized) struct SystemdNotifyTests {
    private func configuration() throws -> String {
        try Paths.writeConfig(station: "TEST-0005", rules: Paths.repository + "/systemd/rules.conf")
    }

    private func start(_ testbed: Testbed, notify: NotifySocket, extra: [String: String] = [:]) throws -> RunningProcess {
        var environment = testbed.childEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        environment.merge(extra) { $1 }
        return try RunningProcess(Paths.nazoratd, ["--config", try configuration()], environment: environment)
    }

    @Test func readyComesAfterEnumerationAndStatusFollowsTheDevices() async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        let daemon = try start(testbed, notify: notify)
        defer { _ = daemon.stop(SIGKILL) }

        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }
        let messages = await notify.messages.elements
        // Before READY only "starting"; READY carries the summary of the enumerated devices.
        let ready = try #require(messages.firstIndex { $0.hasPrefix("READY=1\n") })
        #expect(messages[..<ready].allSatisfy { $0.hasPrefix("STATUS=starting") })
        #expect(messages[ready] == "READY=1\nSTATUS=not sealed, 8 USB devices present, 0 open alarms, polls setup")

        try testbed.add(try Paths.fixture("usb-stick"))
        try await notify.messages.wait(for: "STATUS with 9 devices") {
            $0.contains("STATUS=not sealed, 9 USB devices present, 0 open alarms, polls setup")
        }
    }

    @Test func aReloadIsAnnouncedAndEndsWithReady() async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        let daemon = try start(testbed, notify: notify)
        defer { _ = daemon.stop(SIGKILL) }
        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }

        kill(daemon.process.processIdentifier, SIGHUP)
        try await notify.messages.wait(for: "RELOADING=1 then READY=1") { messages in
            guard let reloading = messages.firstIndex(of: "RELOADING=1") else { return false }
            return messages[reloading...].contains("READY=1")
        }
        try await daemon.waitForLine(containing: "configuration reloaded")
    }

    @Test func sigtermSaysStoppingAndEndsWithACheckpoint() async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        let daemon = try start(testbed, notify: notify)
        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }

        #expect(daemon.stop(SIGTERM) == 0)
        #expect(await notify.messages.elements.contains { $0.hasPrefix("STOPPING=1\n") })
        #expect(await daemon.lines.elements.contains { $0.contains("checkpoint signed") })
    }

    @Test(arguments: [(Testbed.Fault.wedgeMonitorReceive, "udev watcher"), (.wedgeDatabaseSync, "event log")])
    func theWatchdogIsFedOnlyWhileEveryComponentAnswers(fault: Testbed.Fault, component: String) async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        // WatchdogSec=0.4s: systemd expects WATCHDOG=1 at least every 0.4 s; nazoratd sends it every 0.2 s.
        let daemon = try start(testbed, notify: notify, extra: ["WATCHDOG_USEC": "400000"])
        defer { _ = daemon.stop(SIGKILL) }
        try await notify.messages.wait(for: "three WATCHDOG=1") { $0.count { $0 == "WATCHDOG=1" } >= 3 }

        // Wedge one component, then give it work: the next receive (or fsync) never returns.
        testbed.inject(fault)
        try testbed.add(try Paths.fixture("usb-stick"))
        try await notify.messages.wait(for: "STATUS=wedged") { $0.contains("STATUS=wedged: \(component)") }
        try await daemon.waitForLine(containing: "wedged: \(component) did not answer")

        // From now on no WATCHDOG=1: systemd would kill and restart the daemon.
        let fed = await notify.messages.elements.count { $0 == "WATCHDOG=1" }
        try await Task.sleep(for: .seconds(2))
        #expect(await notify.messages.elements.count { $0 == "WATCHDOG=1" } == fed)
        #expect(daemon.process.isRunning)
    }

    @Test func theDaemonServesTheSocketSystemdPassesIn() async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        let directory = try Paths.temporaryDirectory()
        let socketPath = directory + "/activated.sock"
        let config = try configuration()
        var environment = testbed.childEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        let forwarded = ["UMOCKDEV_DIR", "LD_PRELOAD", "NOTIFY_SOCKET"].flatMap { ["-E", $0] }
        let activator = try RunningProcess("/usr/bin/systemd-socket-activate",
                                           ["-l", socketPath] + forwarded + [Paths.nazoratd, "--config", config],
                                           environment: environment)
        defer { _ = activator.stop(SIGKILL) }
        try await activator.waitForLine(containing: "Listening on \(socketPath)")

        // The first connection starts the daemon, which answers it on the inherited socket.
        let first = try UnixHTTP.request(socketPath, "GET", "/v1/status")
        #expect(first.status == 200)
        #expect(try first.json()["station"] as? String == "TEST-0005")
        try await activator.waitForLine(containing: "control API listening on the socket systemd passed (fd 3)")

        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }
        let status = try UnixHTTP.request(socketPath, "GET", "/v1/status").json()
        #expect((status["devices"] as? [String: Any])?["present"] as? Int == 8)
        // The configured path is left alone: the daemon bound nothing itself.
        let configured = (config as NSString).deletingLastPathComponent + "/control.sock"
        #expect(!FileManager.default.fileExists(atPath: configured))
    }
}

/// A NOTIFY_SOCKET for sd_notify: a real Unix datagram socket in a private directory.
final class NotifySocket: @unchecked Sendable {
    let path: String
    let messages = AwaitableLog<String>()
    private let fd: Int32

    init() throws {
        path = try Paths.temporaryDirectory() + "/notify.sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(UnixHTTP.bind(fd, to: path) == 0, "bind \(path): errno \(errno)")
        let (socketFD, messages) = (fd, messages)
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(socketFD, &buffer, buffer.count, 0)
                if count <= 0 { return continuation.finish() }
                continuation.yield(String(decoding: buffer.prefix(count), as: UTF8.self))
            }
        }
        Task { for await message in stream { await messages.append(message) } }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
