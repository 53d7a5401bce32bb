import Foundation
import NazoratTestbed
import Testing

/// `nazoratd` as a whole: configuration checks, the daemon following hot-plugs on a
/// simulated station, sd_notify, a graceful stop, and the `make demo` simulator.
@Suite(.serialized) struct DaemonTests {
    private func writeConfig(_ text: String) throws -> String {
        let path = try Paths.temporaryDirectory() + "/nazorat.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let validConfig = """
        station = "TEST-0001"
        mode = "monitor"
        state-dir = "state"
        socket = "state/control.sock"
        [policy]
        rules = "\(Paths.repository)/systemd/rules.conf"
        """

    @Test func checkConfigAcceptsAValidFile() throws {
        let path = try writeConfig(validConfig)
        let result = try runToCompletion(Paths.nazoratd, ["--check-config", path], environment: [:])
        #expect(result.status == 0)
        #expect(result.stdoutText == "\(path): configuration is valid; 5 rules, implicit block\n")
    }

    @Test func checkConfigNamesFileLineAndColumn() throws {
        let path = try writeConfig("station = \"TEST-0001\"\nmode = \"monitor\"\n  bogus = 1\n")
        let result = try runToCompletion(Paths.nazoratd, ["--check-config", path], environment: [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):3:3: unknown key 'bogus'"))

        let syntax = try writeConfig("station = \"TEST-0001\"\nmode = = \"monitor\"\n")
        let broken = try runToCompletion(Paths.nazoratd, ["--check-config", syntax], environment: [:])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("\(syntax):2:"))
    }

    @Test func theDaemonRefusesToStartWithABadConfiguration() throws {
        let path = try writeConfig("station = \"TEST-0001\"\nmode = \"lenient\"\n")
        let result = try runToCompletion(Paths.nazoratd, ["--config", path], environment: [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2:1: 'mode' must be \"monitor\" or \"enforce\""))
    }

    @Test func theDaemonLogsHotplugsOneLineEachAndStopsGracefully() async throws {
        let testbed = try Paths.station()
        let notify = try NotifySocket()
        var environment = testbed.childEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", try writeConfig(validConfig)],
                                        environment: environment)

        try await notify.messages.wait(for: "READY=1") { $0.contains { $0.hasPrefix("READY=1\n") } }
        #expect(await notify.messages.elements.contains("READY=1\nSTATUS=not sealed, 8 USB devices present, 0 open alarms, polls setup"))
        try await daemon.waitForLine(containing: #"device added: 1-2 413c:2113 "Dell KB216 Wired Keyboard" interfaces 03:01:01 03:00:00 (coldplug)"#)

        let stick = try Paths.fixture("usb-stick")
        try testbed.add(stick)
        try await daemon.waitForLine(containing: #"device added: 1-3 0781:5567 "Cruzer Blade" serial "4C530001230915117382" interfaces 08:06:50 (uevent add)"#)
        try await daemon.waitForLine(containing: "interface add: 1-3:1.0 08:06:50 driver usb-storage")
        testbed.unplug(stick)
        try await daemon.waitForLine(containing: "device removed: 1-3 0781:5567 (uevent remove)")

        let hostile = try Paths.fixture("hostile-strings")
        try testbed.add(hostile)
        try await daemon.waitForLine(containing: #"device added: 1-3 1234:5678 "Tab\there\nNew line\r\xff\xfe"#)

        #expect(daemon.stop(SIGTERM) == 0)
        try await daemon.waitForLine(containing: "nazoratd stopped")
        try await notify.messages.wait(for: "STOPPING=1") { $0.contains { $0.hasPrefix("STOPPING=1\n") } }
        let raw = await daemon.lines.elements.joined(separator: "\n")
        #expect(!raw.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F })
        // Paper cut (issue 15): lines led with 300 characters of hashes and field names.
        // Each leads with the time, the level and the message; the seq and port follow.
        for line in await daemon.lines.elements {
            #expect(line.firstMatch(of: #/^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} (info|notice|warning|error|critical) +\S/#) != nil,
                    "\(line)")
            #expect(!line.contains("NAZORAT_") && !line.contains("MESSAGE_ID"), "\(line)")
        }
        let added = try #require(await daemon.lines.elements.first { $0.contains("device added: 1-3 0781:5567") })
        #expect(added.firstMatch(of: #/ \(uevent add\) \[seq [0-9]+\]$/#) != nil,
                "\(added)")
        #expect(added.count < 200, "\(added)")
    }

    @Test func logFormatJSONGivesEveryFieldOnStderrForMachines() async throws {
        let testbed = try Paths.station()
        let daemon = try RunningProcess(Paths.nazoratd, ["--config", try writeConfig(validConfig), "--log-format", "json"],
                                        environment: testbed.childEnvironment)
        try await daemon.waitForLine(containing: #""message":"device added: 1-2 413c:2113"#)
        #expect(daemon.stop(SIGTERM) == 0)
        let added = try #require(await daemon.lines.elements.first { $0.contains("device added: 1-2 413c:2113") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: String])
        #expect(object["level"] == "notice" && object["logger"] == "nazoratd")
        #expect(object["MESSAGE_ID"]?.count == 32 && object["NAZORAT_EVENT"] == "device.added")
        #expect(object["NAZORAT_SEQ"].flatMap(Int.init) != nil && object["NAZORAT_HASH"]?.count == 64)
        #expect(object["time"]?.firstMatch(of: #/^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z$/#) != nil)
        for line in await daemon.lines.elements {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "every line is JSON: \(line)")
        }
    }

    @Test func theDemoSimulatorPlugsAndUnplugsWhileTheDaemonRuns() async throws {
        let sim = try RunningProcess(Paths.stationSim, [
            "--station", Paths.fixtures + "/polling-station.umockdev",
            "--plug", Paths.fixtures + "/usb-stick.umockdev", "--every", "0.5",
            "--", Paths.nazoratd, "--config", try writeConfig(validConfig),
        ], environment: ProcessInfo.processInfo.environment.filter { $0.key != "UMOCKDEV_DIR" })
        try await sim.waitForLine(containing: "device added: 1-3 0781:5567")
        try await sim.waitForLine(containing: "device removed: 1-3 0781:5567")
        try await sim.waitForLine(containing: "nazoratd stopped")
        sim.process.waitUntilExit()
        #expect(sim.process.terminationStatus == 0)
    }
}
