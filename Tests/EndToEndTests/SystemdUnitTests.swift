import Foundation
import Testing

/// The units checked offline with systemd-analyze (systemd is not PID 1 here, so the
/// hardening's effect on a running daemon is verified on a station image, not in CI).
@Suite struct SystemdUnitTests {
    private let unit = Paths.repository + "/systemd/nazoratd.service"

    @Test func nazoratdServiceExposureIsAtMostOnePointFive() throws {
        let result = try runToCompletion("/usr/bin/systemd-analyze", ["security", "--offline=true", unit], environment: [:])
        let line = try #require(result.stdoutText.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let match = try #require(line.firstMatch(of: /exposure level for [^:]+: ([0-9.]+)/))
        let exposure = try #require(Double(match.1))
        #expect(exposure <= 1.5, "\(line)")
    }

    @Test func nazoratdServiceVerifiesClean() throws {
        // verify checks that ExecStart exists: point it at the binary under test.
        let copy = try Paths.temporaryDirectory() + "/nazoratd.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/bin/nazoratd", with: "ExecStart=\(Paths.nazoratd)")
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        let result = try runToCompletion("/usr/bin/systemd-analyze", ["verify", copy], environment: [:])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty && result.stdoutText.isEmpty, "\(result.stderr)\(result.stdoutText)")
    }
}
