import Foundation
import NazoratTestbed
import Testing

/// A daemon on a simulated station with its control socket, and what the tests send it.
final class ControlHarness {
    let testbed: Testbed
    let directory: String
    let socket: String
    let rules: String
    private(set) var daemon: RunningProcess
    let notify: NotifySocket
    let config: String
    private var environment: [String: String]
    /// Every raw exchange, for the OpenAPI check.
    private(set) var exchanges: [[String: Any]] = []

    init(mode: String = "monitor", extra: String = "", daemonEnvironment: [String: String] = [:]) async throws {
        testbed = try Paths.station()
        directory = try Paths.temporaryDirectory()
        socket = directory + "/control.sock"
        rules = directory + "/rules.conf"
        try FileManager.default.copyItem(atPath: Paths.repository + "/systemd/rules.conf", toPath: rules)
        config = try Paths.writeConfig(station: "TEST-0006", mode: mode, rules: rules, in: directory, extra: extra)
        notify = try NotifySocket()
        var environment = testbed.childEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        environment.merge(daemonEnvironment) { $1 }
        self.environment = environment
        daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: environment)
        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }
    }

    /// Starts the daemon again (after the test stopped or killed it) and waits for READY.
    func restart() async throws -> RunningProcess {
        daemon.process.waitUntilExit()
        let ready = await notify.messages.elements.count { $0.hasPrefix("READY=1\n") }
        daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: environment)
        try await notify.messages.wait(for: "READY=1 again") { $0.count { $0.hasPrefix("READY=1\n") } > ready }
        return daemon
    }

    deinit {
        _ = daemon.stop(SIGKILL)
    }

    /// A raw request; the exchange is kept for ``checkAgainstOpenAPI()``.
    @discardableResult
    func request(_ method: String, _ target: String, json body: String? = nil) throws -> UnixHTTP.Response {
        let response = try UnixHTTP.request(socket, method, target, body: Data((body ?? "").utf8))
        record(method, target, response.status, response.headers["content-type"] ?? "", response.text)
        return response
    }

    func record(_ method: String, _ target: String, _ status: Int, _ contentType: String, _ body: String) {
        exchanges.append(["method": method, "path": target, "status": status, "contentType": contentType, "body": body])
    }

    /// Runs nazoratctl (as root, or through `setpriv` as `user`).
    func nazoratctl(_ arguments: [String], as user: String? = nil) throws -> Completed {
        let all = arguments + ["--socket", socket]
        guard let user else { return try runToCompletion(Paths.nazoratctl, all, environment: ["NO_COLOR": "1"]) }
        return try runToCompletion("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(user)", "--init-groups",
                                                        Users.copyOfNazoratctl] + all,
                                   environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"])
    }

    /// A raw request sent by `user` (through `setpriv` and python3's socket module); returns
    /// the status.
    func request(as user: String, _ method: String, _ target: String, json body: String = "") throws -> Int {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            body = sys.argv[4].encode()
            s.sendall(f"{sys.argv[2]} {sys.argv[3]} HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n"
                      f"Content-Length: {len(body)}\\r\\n\\r\\n".encode() + body)
            print(s.recv(100).split()[1].decode())
            """
        let result = try runToCompletion("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(user)", "--init-groups",
                                                              "/usr/bin/python3", "-c", script, socket, method, target, body],
                                         environment: ["PATH": "/usr/bin:/bin"])
        return Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Every recorded exchange matches docs/openapi.yaml (Tests/Support/openapi-check.py).
    func checkAgainstOpenAPI() throws {
        let file = directory + "/exchanges.jsonl"
        let lines = try exchanges.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let check = try runToCompletion("/usr/bin/python3", [Paths.repository + "/Tests/Support/openapi-check.py",
                                                            Paths.repository + "/docs/openapi.yaml", file],
                                        environment: ["PATH": "/usr/bin:/bin"])
        #expect(check.status == 0, "\(check.stdoutText)\(check.stderr)")
    }

    /// The events of the log whose type is `type`.
    func events(ofType type: String) throws -> [[String: Any]] {
        let list = try request("GET", "/v1/events?limit=1000").json()
        return (list["events"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == type }
    }
}

/// Users and groups for the access tests: the groups from systemd/nazorat.sysusers (as a
/// station gets them) and one test user per role, created once on this machine.
enum Users {
    static let technician = "nazorat-t-tech"
    static let administrator = "nazorat-t-admin"
    static let scanner = "nazorat-t-scan"
    static let uplink = "nazorat-uplink"
    static let stranger = "nazorat-t-none"

    /// nazoratctl copied where any user may run it (the build tree may be private).
    static let copyOfNazoratctl = "/tmp/nazorat-test-bin/nazoratctl"

    static func ensure() throws {
        try #require(getuid() == 0, "the access tests need root (setpriv, useradd)")
        let sysusers = try runToCompletion("/bin/systemd-sysusers", [Paths.repository + "/systemd/nazorat.sysusers"],
                                           environment: [:])
        try #require(sysusers.status == 0, "systemd-sysusers: \(sysusers.stderr)")
        let users: [(String, [String])] = [
            (technician, ["nazorat"]), (administrator, ["nazorat", "nazorat-admin"]),
            (scanner, ["nazorat", "nazorat-scanner"]), (stranger, []),
        ]
        for (name, groups) in users where getpwnam(name) == nil {
            let add = try runToCompletion("/usr/sbin/useradd", ["--system", "--no-create-home", "--user-group",
                                                               "--shell", "/usr/sbin/nologin"]
                                              + (groups.isEmpty ? [] : ["--groups", groups.joined(separator: ",")]) + [name],
                                          environment: [:])
            try #require(add.status == 0, "useradd \(name): \(add.stderr)")
        }
        try FileManager.default.createDirectory(atPath: "/tmp/nazorat-test-bin", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try? FileManager.default.removeItem(atPath: copyOfNazoratctl)
        try FileManager.default.copyItem(atPath: Paths.nazoratctl, toPath: copyOfNazoratctl)
        chmod(copyOfNazoratctl, 0o755)
    }
}
