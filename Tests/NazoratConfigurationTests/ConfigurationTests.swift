@testable import NazoratConfiguration
import NazoratTestbed
import Testing

@Suite struct ConfigurationTests {
    private func parse(_ text: String, file: String = "/etc/nazorat/nazorat.toml") throws(ConfigurationError) -> Configuration {
        try Configuration.parse(text, file: file)
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aMinimalFileGetsTheDocumentedDefaults() throws {
        let configuration = try parse("station = \"TSH-0042\"\nmode = \"enforce\"\n")
        #expect(configuration == Configuration(
            station: "TSH-0042", mode: .enforce, stateDirectory: "/var/lib/nazorat",
            socketPath: "/run/nazorat/control.sock", logLevel: .info, writeQueue: 10_000,
            policy: PolicySettings(rulesPath: "/etc/nazorat/rules.conf", implicit: .block), uplink: nil))
    }

    @Test func theUplinkTableHasDefaultsAndRelativePaths() throws {
        let configuration = try parse("""
            station = "TSH-0042"
            mode = "enforce"
            [uplink]
            url = "https://central.example/v1/envelopes"
            ca = "ca.pem"
            """, file: "/etc/nazorat/nazorat.toml")
        #expect(configuration.uplink == UplinkSettings(
            url: "https://central.example/v1/envelopes", heartbeatInterval: 15, caPath: "/etc/nazorat/ca.pem",
            clientCertificatePath: nil, clientKeyPath: nil, outboxBytes: 64 << 20))
    }

    @Test func plainHTTPIsForLoopbackOnlyAndClientKeysComeInPairs() {
        let head = "station = \"TSH-1\"\nmode = \"monitor\"\n[uplink]\n"
        #expect(error(head + "url = \"http://central.example/\"\n")
            == "/etc/nazorat/nazorat.toml:4:1: 'uplink.url' must be https://HOST[:PORT][/PATH], or http:// to 127.0.0.1, [::1] or localhost only")
        #expect(error(head + "url = \"http://127.0.0.1:8443/v1/envelopes\"\n") == nil)
        #expect(error(head + "url = \"http://127.0.0.1.evil.example/\"\n") != nil)
        #expect(error(head + "url = \"https://c.example\"\nclient-cert = \"c.pem\"\n")?
            .hasSuffix("'uplink.client-cert' client-cert and client-key go together") == true)
        #expect(error(head + "url = \"https://c.example\"\nheartbeat-interval = 0\n")?
            .contains("'uplink.heartbeat-interval' must be between 1s and 1h") == true)
    }

    // Paper cut (issue 15): `heartbeat-interval = "15s"` was refused with "must be an integer".
    @Test func durationsTakeSystemdsFormsAsWellAsSeconds() throws {
        let head = "station = \"TSH-1\"\nmode = \"monitor\"\n[uplink]\nurl = \"https://c.example\"\n"
        for (written, seconds) in [("15", 15), ("\"15s\"", 15), ("\"2min\"", 120), ("\"1min 30s\"", 90),
                                   ("\"1h\"", 3600), ("\"45 sec\"", 45)] {
            let configuration = try parse(head + "heartbeat-interval = \(written)\n")
            #expect(configuration.uplink?.heartbeatInterval == seconds, "\(written)")
        }
        #expect(error(head + "heartbeat-interval = \"15 parsecs\"\n")
            == "/etc/nazorat/nazorat.toml:5:1: 'uplink.heartbeat-interval' is not a duration: \"15 parsecs\" "
            + "(write e.g. \"15s\", \"2min\" or \"1min 30s\")")
        #expect(error(head + "heartbeat-interval = \"1500ms\"\n")?.hasSuffix("must be whole seconds, not \"1500ms\"") == true)
        #expect(error(head + "heartbeat-interval = \"2h\"\n")?.hasSuffix("must be between 1s and 1h") == true)
        #expect(error(head + "heartbeat-interval = true\n")?.contains("must be a number of seconds or a duration") == true)
    }

    @Test func theEnvelopeEndpointFollowsFromABaseURLOrIsTheURL() throws {
        func endpoint(_ url: String) throws -> String? {
            try parse("station = \"TSH-1\"\nmode = \"monitor\"\n[uplink]\nurl = \"\(url)\"\n").uplink?.envelopesURL
        }
        #expect(try endpoint("https://central.example") == "https://central.example/v1/envelopes")
        #expect(try endpoint("https://central.example/") == "https://central.example/v1/envelopes")
        #expect(try endpoint("https://central.example/nazorat") == "https://central.example/nazorat/v1/envelopes")
        #expect(try endpoint("https://central.example/v1/envelopes") == "https://central.example/v1/envelopes")
    }

    @Test func relativePathsAreAnchoredAtTheFilesDirectory() throws {
        let configuration = try parse("""
            station = "DEV-1"
            mode = "monitor"
            state-dir = "state"
            socket = "state/control.sock"
            log-level = "debug"
            """, file: "/home/dev/nazorat/dev/nazorat.toml")
        #expect(configuration.stateDirectory == "/home/dev/nazorat/dev/state")
        #expect(configuration.socketPath == "/home/dev/nazorat/dev/state/control.sock")
        #expect(configuration.logLevel == .debug)
    }

    @Test func theShippedExampleIsValid() throws {
        let configuration = try Configuration.load(path: Repository.root + "/systemd/nazorat.toml")
        #expect(configuration.mode == .enforce)
    }

    @Test func anUnknownKeyNamesItsLineAndColumn() {
        #expect(error("station = \"A\"\nmode = \"monitor\"\n  stat-dir = \"/x\"\n")
            == "/etc/nazorat/nazorat.toml:3:3: unknown key 'stat-dir'; expected one of: station, mode, state-dir, socket, log-level, write-queue, policy, interfaces, uplink")
    }

    @Test func thePolicyTableNamesTheRulesAndTheImplicitTarget() throws {
        let configuration = try parse("station = \"A\"\nmode = \"monitor\"\n[policy]\nrules = \"rules.conf\"\nimplicit = \"reject\"\n",
                                      file: "/etc/nazorat/nazorat.toml")
        #expect(configuration.policy == PolicySettings(rulesPath: "/etc/nazorat/rules.conf", implicit: .reject))
        #expect(error("station = \"A\"\nmode = \"monitor\"\n[policy]\nimplicit = \"deny\"\n")
            == #"/etc/nazorat/nazorat.toml:4:1: 'policy.implicit' must be "allow", "block" or "reject", not "deny""#)
        #expect(error("station = \"A\"\nmode = \"monitor\"\n[policy]\n  rule = \"x\"\n")
            == "/etc/nazorat/nazorat.toml:4:3: unknown key 'policy.rule'; expected one of: rules, implicit")
        #expect(error("station = \"A\"\nmode = \"monitor\"\npolicy = 3\n")
            == "/etc/nazorat/nazorat.toml:3:1: 'policy' must be a table ([policy]), not integer")
    }

    @Test func anUnknownTableIsAnError() {
        #expect(error("station = \"A\"\nmode = \"monitor\"\n\n[uplinks]\nurl = \"https://x\"\n")?
            .hasPrefix("/etc/nazorat/nazorat.toml:4:1: unknown key 'uplinks'") == true)
    }

    @Test func aBadModeSaysWhatIsExpected() {
        #expect(error("station = \"A\"\nmode = \"permissive\"\n")
            == "/etc/nazorat/nazorat.toml:2:1: 'mode' must be \"monitor\" or \"enforce\", not \"permissive\"")
    }

    @Test func aValueOfTheWrongTypeIsAnError() {
        #expect(error("station = 42\nmode = \"monitor\"\n")
            == "/etc/nazorat/nazorat.toml:1:1: 'station' must be a string, not integer")
    }

    @Test func theWriteQueueIsABoundedInteger() {
        #expect(error("station = \"A\"\nmode = \"monitor\"\nwrite-queue = 0\n")
            == "/etc/nazorat/nazorat.toml:3:1: 'write-queue' must be between 1 and 1000000")
        #expect(error("station = \"A\"\nmode = \"monitor\"\nwrite-queue = \"many\"\n")
            == "/etc/nazorat/nazorat.toml:3:1: 'write-queue' must be an integer, not string")
    }

    @Test func aMissingStationIsAnError() {
        #expect(error("mode = \"monitor\"\n") == "/etc/nazorat/nazorat.toml: missing required key 'station'")
    }

    @Test(arguments: ["", "has space", "tab\there", String(repeating: "x", count: 65), "ümlaut"])
    func stationIdsMustBePlain(_ station: String) {
        let message = error("mode = \"monitor\"\nstation = \"\(station.replacingOccurrences(of: "\t", with: "\\t"))\"\n")
        #expect(message?.hasPrefix("/etc/nazorat/nazorat.toml:2:1: 'station' must be 1 to 64 characters") == true)
    }

    @Test func aTooLongSocketPathIsAnError() {
        let long = "/run/" + String(repeating: "s", count: 110)
        #expect(error("station = \"A\"\nmode = \"monitor\"\nsocket = \"\(long)\"\n")?
            .hasPrefix("/etc/nazorat/nazorat.toml:3:1: 'socket' is longer than a Unix socket path") == true)
    }

    @Test func aSyntaxErrorNamesLineAndColumn() {
        let message = error("station = \"A\"\nmode = \"monitor\n")
        #expect(message?.hasPrefix("/etc/nazorat/nazorat.toml:2:") == true)
    }

    @Test func hostileValuesAreEscapedInMessages() {
        #expect(error("station = \"A\"\nmode = \"\\u001b[2J\"\n")
            == #"/etc/nazorat/nazorat.toml:2:1: 'mode' must be "monitor" or "enforce", not "\x1b[2J""#)
    }

    @Test func anUnreadableFileIsAnError() {
        #expect(throws: ConfigurationError.self) { try Configuration.load(path: "/nonexistent/nazorat.toml") }
    }
}
