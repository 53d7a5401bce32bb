import Foundation
import NazoratTestbed
import Testing

/// Permanent decisions on a running daemon: every change goes through the Supervisor.
@Suite(.serialized) struct PermanentDecisionTests {
    // Regression (issue 15, bug 2): the route wrote the rule file and replaced the policy
    // outside the Supervisor, so concurrent permanent decisions read the same old file and
    // all but one rule were lost (one client even got "500 cannot replace the rule file").
    @Test func concurrentPermanentDecisionsAndAReloadKeepEveryRule() async throws {
        let harness = try await ControlHarness()
        let before = try harness.request("GET", "/v1/policy").json()["rules"] as? Int ?? -1
        let devices = try harness.request("GET", "/v1/devices").json()["devices"] as? [[String: Any]] ?? []
        let ports = devices.compactMap { ($0["device"] as? [String: Any])?["port"] as? String }
        #expect(ports.count == 8)
        let (socket, pid) = (harness.socket, harness.daemon.process.processIdentifier)
        let answers: [UnixHTTP.Response] = try await withThrowingTaskGroup(of: UnixHTTP.Response?.self) { group in
            for (n, port) in ports.enumerated() {
                group.addTask {
                    try UnixHTTP.request(socket, "POST", "/v1/devices/\(port)/\(n % 2 == 0 ? "block" : "allow")",
                                         body: Data(#"{"permanent": true}"#.utf8))
                }
                if n == ports.count / 2 { group.addTask { kill(pid, SIGHUP); return nil } }
            }
            return try await group.reduce(into: []) { if let answer = $1 { $0.append(answer) } }
        }
        try await harness.daemon.waitForLine(containing: "configuration reloaded: monitor mode")
        #expect(answers.map(\.status) == Array(repeating: 200, count: 8), "\(answers.map(\.text))")
        let added = try answers.compactMap { try $0.json()["rule"] as? String }
        let file = try String(contentsOfFile: harness.rules, encoding: .utf8)
        let lines = file.split(separator: "\n").map(String.init)
        #expect(added.count == 8 && added.allSatisfy { rule in lines.count { $0 == rule } == 1 },
                "every rule answered is in the file once:\n\(file)")
        #expect(try harness.request("GET", "/v1/policy").json()["rules"] as? Int == before + 8,
                "the policy in force is the file's, whichever came first, the reload or a decision")
        let overrides = try harness.events(ofType: "device.override")
        #expect(Set(overrides.compactMap { ($0["payload"] as? [String: Any])?["rule"] as? String }) == Set(added))
        #expect(try harness.events(ofType: "config.reloaded").count == 1)
    }
}
