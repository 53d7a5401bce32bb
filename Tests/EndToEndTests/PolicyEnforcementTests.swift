import Foundation
import NazoratTestbed
import Testing

/// The policy at work in the daemon, on umockdev stations: the testbed's `authorized`,
/// `authorized_default` and `remove` files hold what was decided; side by side with
/// USBGuard's daemon on the same testbed and rules.
@Suite(.serialized) struct PolicyEnforcementTests {
    private static let pci = "/sys/devices/pci0000:00/0000:00:14.0"
    private static let stationPorts = ["usb1", "usb2", "1-1", "1-1.1", "1-1.2", "1-1.3", "1-1.4", "1-2"]

    /// A commissioning policy: `nazoratd generate-policy` on the bare station, then the shipped rules.
    private func commissionedPolicy() throws -> String {
        let bare = try Paths.station()
        let generated = try runToCompletion(Paths.nazoratd, ["generate-policy"], environment: bare.childEnvironment)
        #expect(generated.status == 0)
        let shipped = try String(contentsOfFile: Paths.repository + "/systemd/rules.conf", encoding: .utf8)
        let path = try Paths.temporaryDirectory() + "/rules.conf"
        try (generated.stdoutText + shipped).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func config(mode: String, rules: String) throws -> String {
        try Paths.writeConfig(station: "POLICY-0001", mode: mode, rules: rules)
    }

    private func syspath(_ port: String) -> String {
        switch port {
        case "usb1", "usb2": Self.pci + "/" + port
        case let p where p.hasPrefix("1-1."): Self.pci + "/usb1/1-1/" + p
        default: Self.pci + "/usb1/" + port
        }
    }

    /// A sysfs value as the kernel would show it (the testbed keeps the old file's tail
    /// after a short write; sysfs would not).
    private func value(_ testbed: Testbed, _ port: String, _ attribute: String) -> String? {
        testbed.attribute(syspath(port), attribute)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Our decisions, port -> target, from the daemon's `policy:` lines.
    private func decisions(_ lines: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for line in lines {
            guard let match = line.firstMatch(of: /policy: (\S+) \S+ \([a-z-]+\) (allowed|blocked|rejected) by/) else { continue }
            out[String(match.1)] = ["allowed": "allow", "blocked": "block", "rejected": "reject"][String(match.2)]
        }
        return out
    }

    @Test func enforceModeWritesWhatThePolicyDecided() async throws {
        let rules = try commissionedPolicy()
        let testbed = try Paths.station(["vanishing-device"])  // an unknown stick present at start, at 1-4
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", try config(mode: "enforce", rules: rules)],
                                        environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-4 090c:1000 (storage) blocked by the implicit target")

        #expect(value(testbed, "usb1", "authorized_default") == "0", "fail closed: new devices wait")
        #expect(value(testbed, "usb2", "authorized_default") == "0")
        #expect(value(testbed, "1-4", "authorized") == "0", "present devices are decided too")
        for port in Self.stationPorts {
            #expect(value(testbed, port, "authorized") == "1", "\(port) stays authorized")
        }
        let keyboardLine = await daemon.lines.elements.first { $0.contains("policy: 1-2 ") }
        #expect(keyboardLine?.contains("allowed") == true)

        let stick = try Paths.fixture("usb-stick")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: "policy: 1-3 0781:5567 (storage) blocked by the implicit target")
        try await daemon.waitForLine(containing: "wrote authorized=0 for 1-3")
        #expect(value(testbed, "1-3", "authorized") == "0")
        testbed.unplug(stick)

        let lookalike = try Paths.fixture("scanner-lookalike")
        try testbed.add(lookalike)
        try await daemon.waitForLine(containing: "policy: 1-3 2c4e:0b01 (ballot-scanner) rejected by rule at line")
        try await daemon.waitForLine(containing: "wrote remove=1 for 1-3")
        #expect(value(testbed, "1-3", "authorized") == "0", "deauthorized before removal")
        #expect(value(testbed, "1-3", "remove") == "1")
        testbed.unplug(lookalike)

        let ethernet = try Paths.fixture("usb-ethernet")
        try testbed.add(ethernet)
        try await daemon.waitForLine(containing: "policy: 1-3 0bda:8153 (network) blocked by rule at line")
        try await daemon.waitForLine(containing: "wrote authorized=0 for 1-3")
        #expect(value(testbed, "1-3", "authorized") == "0")
        #expect(value(testbed, "1-3", "remove") == "")
        #expect(daemon.stop() == 0)
    }

    @Test func monitorModeDecidesButNeverWrites() async throws {
        let rules = try commissionedPolicy()
        let testbed = try Paths.station()
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", try config(mode: "monitor", rules: rules)],
                                        environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-2 ")
        try testbed.add(Paths.fixture("scanner-lookalike"))
        try await daemon.waitForLine(containing: "policy: 1-3 2c4e:0b01 (ballot-scanner) rejected by rule at line")
        #expect(await daemon.lines.elements.contains { $0.contains("rejected by rule at line") && $0.contains("(monitor mode: not applied)") })
        #expect(daemon.stop() == 0)
        #expect(value(testbed, "1-3", "authorized") == "1")
        #expect(value(testbed, "1-3", "remove") == "")
        #expect(value(testbed, "usb1", "authorized_default") == "1")
        #expect(await !daemon.lines.elements.contains { $0.contains("wrote ") })
    }

    /// The same rule file on the same testbed: every present device gets the same target from
    /// USBGuard's daemon (live, when installed) and from Nazorat; both match the recorded decisions.
    @Test func decisionsEqualUSBGuardsOnTheSameTestbed() async throws {
        let rules = try commissionedPolicy()
        let extra = ["scanner-lookalike", "vanishing-device"]
        let recorded = try String(contentsOfFile: Paths.fixtures + "/usbguard/decisions.txt", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
            .reduce(into: [String: String]()) { map, line in
                let parts = line.split(separator: " ")
                map[String(parts[0])] = String(parts[1])
            }

        let ours = try Paths.station(extra)
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", try config(mode: "monitor", rules: rules)],
                                        environment: ours.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-4 ")
        #expect(daemon.stop() == 0)
        #expect(decisions(await daemon.lines.elements) == recorded)

        let usbguard = "/usr/sbin/usbguard-daemon"
        guard FileManager.default.isExecutableFile(atPath: usbguard) else { return }
        let theirs = try Paths.station(extra)
        let directory = try Paths.temporaryDirectory()
        try """
            RuleFile=\(rules)
            ImplicitPolicyTarget=block
            PresentDevicePolicy=apply-policy
            PresentControllerPolicy=apply-policy
            InsertedDevicePolicy=apply-policy
            RestoreControllerDeviceState=false
            DeviceManagerBackend=uevent
            IPCAllowedUsers=root
            AuditBackend=FileAudit
            AuditFilePath=\(directory)/audit.log
            """.write(toFile: directory + "/usbguard-daemon.conf", atomically: true, encoding: .utf8)
        // stdbuf: usbguard-daemon's log goes to a pipe here, which it would otherwise buffer.
        let guardDaemon = try RunningProcess("/usr/bin/stdbuf", ["-oL", "-eL", usbguard, "-k", "-P", "-c",
                                                                 directory + "/usbguard-daemon.conf"],
                                             environment: theirs.childEnvironment)
        try await guardDaemon.waitForLine(containing: "device.system_name='/devices/pci0000:00/0000:00:14.0/usb1/1-4' target.new=")
        try await guardDaemon.waitForLine(containing: "usb1/1-1/1-1.4' target.new=")
        // SIGKILL: usbguard-daemon under umockdev does not always act on SIGTERM, and only its decisions matter.
        _ = guardDaemon.stop(SIGKILL)
        var usbguardDecisions: [String: String] = [:]
        for line in await guardDaemon.lines.elements {
            guard let match = line.firstMatch(of: /device.system_name='[^']*\/([^\/']+)' target.new='([a-z]+)'/) else { continue }
            usbguardDecisions[String(match.1)] = String(match.2)
        }
        #expect(usbguardDecisions == recorded, "USBGuard's decisions differ from the recorded ones")
    }

    @Test func generatedPoliciesLoadInUSBGuardAndInNazorat() throws {
        let rules = try commissionedPolicy()
        let check = try runToCompletion(Paths.nazoratd, ["--check-config", try config(mode: "enforce", rules: rules)],
                                        environment: [:])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdoutText.contains("configuration is valid; 13 rules, implicit block"))
        let bare = try Paths.station()
        let withPorts = try runToCompletion(Paths.nazoratd, ["generate-policy", "--via-port"], environment: bare.childEnvironment)
        let ruleLines = withPorts.stdoutText.split(separator: "\n").filter { $0.hasPrefix("allow") }
        #expect(ruleLines.count == 8 && ruleLines.allSatisfy { $0.contains(" via-port \"") })
        let portsFile = try Paths.temporaryDirectory() + "/ports.conf"
        try withPorts.stdoutText.write(toFile: portsFile, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/usbguard-rule-parser") else { return }
        for file in [rules, portsFile, Paths.repository + "/systemd/rules.conf"] {
            let parsed = try runToCompletion("/usr/bin/usbguard-rule-parser", ["-f", file], environment: [:])
            #expect(parsed.status == 0, "usbguard-rule-parser refused \(file): \(parsed.stdoutText)")
        }
    }

    @Test func sighupReloadsThePolicyAndRefusesABadOne() async throws {
        let testbed = try Paths.station()
        let rules = try Paths.temporaryDirectory() + "/rules.conf"
        try "allow\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let config = try config(mode: "monitor", rules: rules)
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", config], environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: "policy: 1-2 ")
        let stick = try Paths.fixture("usb-stick")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: "policy: 1-3 0781:5567 (storage) allowed by rule at line 1")
        testbed.unplug(stick)

        try "block with-interface 08:*:*\nallow\n".write(toFile: rules, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await daemon.waitForLine(containing: "configuration reloaded: monitor mode, 2 rules from \(rules), implicit block")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: "policy: 1-3 0781:5567 (storage) blocked by rule at line 1")
        testbed.unplug(stick)

        try "allow with-interface 08:*:\n".write(toFile: rules, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await daemon.waitForLine(containing: "reload refused, the previous configuration stays in force: \(rules):1:22: expected an interface type")
        try testbed.add(stick)
        // The old policy still decides: a second "blocked by rule at line 1".
        try await daemon.lines.wait(for: "a second decision by the old policy") { lines in
            lines.filter { $0.contains("policy: 1-3 0781:5567 (storage) blocked by rule at line 1") }.count == 2
        }
        // Regression: a set operator with nothing after it crashed the parser, and nazoratd
        // with it on SIGHUP (with Restart=always, at every start).
        try "allow name one-of\n".write(toFile: rules, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await daemon.waitForLine(
            containing: "reload refused, the previous configuration stays in force: \(rules):1:12: expected '{' after the set operator 'one-of'")
        #expect(daemon.stop() == 0)
    }

    @Test func checkConfigReportsRuleErrorsWithFileLineAndColumn() throws {
        let rules = try Paths.temporaryDirectory() + "/rules.conf"
        try "allow with-interface 09:00:*\n\nallow serial \"unterminated\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let result = try runToCompletion(Paths.nazoratd, ["--check-config", try config(mode: "enforce", rules: rules)],
                                         environment: [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(rules):3:14: unterminated string: expected a closing '\"'"))
    }

    // Paper cut (issue 15): a missing rule file was reported as Foundation's
    // "Error Domain=NSCocoaErrorDomain Code=260 ... UserInfo={...}".
    @Test func aMissingFileIsAPlainSentenceWithThePathAndWhatToDo() throws {
        let directory = try Paths.temporaryDirectory()
        let missingRules = try runToCompletion(Paths.nazoratd, ["--check-config",
                                                                try config(mode: "monitor", rules: directory + "/none.conf")],
                                               environment: [:])
        #expect(missingRules.status == 1)
        #expect(missingRules.stderr == "Error: the rule file \(directory)/none.conf: cannot read: No such file or directory; "
                + "write it there, or set rules in [policy] to where it is\n", "\(missingRules.stderr)")
        let missingConfiguration = try runToCompletion(Paths.nazoratd, ["--check-config", directory + "/none.toml"],
                                                       environment: [:])
        #expect(missingConfiguration.status == 1)
        #expect(missingConfiguration.stderr == "Error: \(directory)/none.toml: cannot read the configuration: No such file or "
                + "directory; give its path with --config (the default is /etc/nazorat/nazorat.toml)\n",
                "\(missingConfiguration.stderr)")
        let unreadable = try runToCompletion(Paths.nazoratd, ["--check-config", directory], environment: [:])
        #expect(unreadable.stderr.contains("cannot read the configuration: Is a directory"), "\(unreadable.stderr)")
        for output in [missingRules.stderr, missingConfiguration.stderr, unreadable.stderr] {
            #expect(!output.contains("Domain") && !output.contains("UserInfo") && !output.contains("errno"))
        }
    }
}
