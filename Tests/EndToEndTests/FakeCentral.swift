import Foundation
import NazoratTestbed

/// `Tests/Support/fake-central.py` (a central that misbehaves in `mode`) on a free port: a
/// real central takes one and gives it up to the fake, and its directory is there for the
/// real central that may follow on the same port.
struct FakeCentral {
    let process: RunningProcess
    let port: Int
    let directory: String

    init(_ mode: String) async throws {
        let probe = try await CentralProcess()
        (port, directory) = (probe.port, probe.directory)
        _ = probe.process.stop(SIGKILL)
        process = try RunningProcess("/usr/bin/python3", [Paths.repository + "/Tests/Support/fake-central.py", "\(port)", mode],
                                     environment: ["PATH": "/usr/bin:/bin"])
        do {
            try await process.waitForLine(containing: "listening")
        } catch {
            _ = process.stop(SIGKILL)
            throw error
        }
    }

    /// A station whose uplink delivers to the fake, and that uplink (stop it with the fake).
    func deliveringStation() async throws -> (harness: ControlHarness, uplink: RunningProcess) {
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(port)/v1/envelopes"))
        return (harness, try harness.startUplink(enrollingAt: nil))
    }
}
