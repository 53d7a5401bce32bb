import Foundation
import Testing

/// The units checked offline with systemd-analyze (systemd is not PID 1 here, so the
/// hardening's effect on a running daemon is verified on a station image, not in CI).
@Suite struct SystemdUnitTests {
    /// The exposure `systemd-analyze security --offline=true` gives `unit`.
    static func exposure(of unit: String) throws -> Double {
        let result = try runToCompletion("/usr/bin/systemd-analyze", ["security", "--offline=true", unit], environment: [:])
        let line = try #require(result.stdoutText.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "\(result.stderr)")
        let match = try #require(line.firstMatch(of: /exposure level for [^:]+: ([0-9.]+)/))
        return try #require(Double(match.1))
    }

    /// `systemd-analyze verify` of the units in `directory`, with their `/usr/bin/` commands
    /// taken from `binaries` (verify checks that each command exists). Returns its complaints.
    static func verify(_ units: [String], in directory: String, binaries: String) throws -> String {
        let copies = try Paths.temporaryDirectory()
        for unit in units {
            var text = try String(contentsOfFile: directory + "/" + unit, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("ExecStart=/usr/bin/") {
                let name = String(line.dropFirst("ExecStart=/usr/bin/".count).prefix { $0 != " " })
                text = text.replacingOccurrences(of: "ExecStart=/usr/bin/\(name)", with: "ExecStart=\(binaries)/\(name)")
            }
            try text.write(toFile: copies + "/" + unit, atomically: true, encoding: .utf8)
        }
        let result = try runToCompletion("/usr/bin/systemd-analyze", ["verify"] + units.map { copies + "/" + $0 },
                                         environment: [:])
        return result.status == 0 ? result.stderr + result.stdoutText : "exit \(result.status): \(result.stderr)"
    }

    @Test(arguments: ["nazoratd.service", "nazorat-uplink.service"])
    func exposureIsAtMostOnePointFive(unit: String) throws {
        let exposure = try Self.exposure(of: Paths.repository + "/systemd/" + unit)
        #expect(exposure <= 1.5, "\(unit): \(exposure)")
    }

    @Test func everyUnitVerifiesClean() throws {
        let complaints = try Self.verify(["nazoratd.service", "nazoratd.socket", "nazorat-uplink.service"],
                                         in: Paths.repository + "/systemd", binaries: Paths.products)
        #expect(complaints.isEmpty, "\(complaints)")
    }

    @Test func theServiceHasNoNetworkAndTheUplinkNoDevicesNorState() throws {
        let daemon = try String(contentsOfFile: Paths.repository + "/systemd/nazoratd.service", encoding: .utf8)
        #expect(daemon.contains("\nRestrictAddressFamilies=AF_UNIX AF_NETLINK\n"))
        #expect(daemon.contains("\nIPAddressDeny=any\n"))
        #expect(daemon.contains("\nType=notify\n") && daemon.contains("\nWatchdogSec="))
        let uplink = try String(contentsOfFile: Paths.repository + "/systemd/nazorat-uplink.service", encoding: .utf8)
        #expect(uplink.contains("\nUser=nazorat-uplink\n"))
        #expect(uplink.contains("\nPrivateDevices=yes\n") && uplink.contains("\nDevicePolicy=closed\n"))
        #expect(uplink.contains("\nInaccessiblePaths=-/var/lib/nazorat\n"))
        #expect(!uplink.contains("ReadWritePaths"))
    }
}
