import NazoratConfiguration
import NazoratCore
@testable import NazoratDaemon
import NazoratLinux
import Testing

/// The Enforcer in-process: what it writes to sysfs for each decision, in each mode.
@Suite struct EnforcerTests {
    private let time = EventTime(realtimeUSec: 1, monotonicUSec: 1, bootID: "b")
    private let settings = PolicySettings(rulesPath: "/nonexistent/rules.conf", implicit: .block)

    private func enforcer(_ mode: Configuration.Mode, _ rules: String, writer: RecordingWriter) throws -> Enforcer {
        let policy = Policy(rules: try RuleParser(file: "rules.conf").parse(rules), implicit: .block)
        return Enforcer(.init(mode: mode, policy: policy, settings: settings), writer: writer, secondsOfDay: { 0 })
    }

    @Test func enforceModeWritesOnlyWhatChangesTheDevice() throws {
        let writer = RecordingWriter()
        let enforcer = try enforcer(.enforce, "allow id 2c4e:0b01\nreject id 0781:*\n", writer: writer)
        var unauthorized = InProcessStation.scanner
        unauthorized.authorized = false
        _ = enforcer.decideAndApply(unauthorized, time: time)
        _ = enforcer.decideAndApply(InProcessStation.scanner, time: time)  // allowed and authorized: nothing to write
        _ = enforcer.decideAndApply(InProcessStation.stick, time: time)
        #expect(writer.writes.map(\.description) == [
            "\(unauthorized.syspath)/authorized=1",
            // Reject deauthorizes first, so that a failed removal still leaves it blocked.
            "\(InProcessStation.stick.syspath)/authorized=0", "\(InProcessStation.stick.syspath)/remove=1",
        ])
    }

    @Test func monitorModeDecidesAndRecordsButWritesNothing() throws {
        let writer = RecordingWriter()
        let enforcer = try enforcer(.monitor, "block\n", writer: writer)
        let drafts = enforcer.decideAndApply(InProcessStation.stick, time: time).1
            + enforcer.closeRootHubs([InProcessStation.hub], time: time)
        #expect(writer.writes.isEmpty)
        #expect(drafts.map(\.type) == ["policy.decision"])
        #expect(drafts[0].message.hasSuffix("blocked by rule at line 1 (monitor mode: not applied)"))
    }

    @Test func aFailedWriteIsAnEventNamingTheFileAndTheReason() throws {
        let writer = RecordingWriter()
        writer.fail(InProcessStation.stick.syspath, "authorized")
        let enforcer = try enforcer(.enforce, "block\n", writer: writer)
        let (_, drafts) = enforcer.decideAndApply(InProcessStation.stick, time: time)
        #expect(drafts.map(\.type) == ["policy.decision", "enforcement.failed"])
        #expect(drafts[1].severity == .error)
        #expect(drafts[1].message == "enforcement failed for 1-2: writing \(InProcessStation.stick.syspath)/authorized "
                + "failed: Permission denied (errno 13)")
    }

    @Test func onlyRootHubsAreClosedAndOnlyInEnforceMode() throws {
        let writer = RecordingWriter()
        let enforcer = try enforcer(.enforce, "allow\n", writer: writer)
        let drafts = enforcer.closeRootHubs([InProcessStation.hub, InProcessStation.scanner], time: time)
        #expect(writer.writes.map(\.description) == ["\(InProcessStation.hub.syspath)/authorized_default=0",
                                                    "\(InProcessStation.hub.syspath)/interface_authorized_default=0"])
        #expect(drafts.map(\.type) == ["enforcement.write", "enforcement.write"])
    }

    @Test func aReplacedPolicyDecidesWhatFollowsAndResolvesTheRole() throws {
        let writer = RecordingWriter()
        let enforcer = try enforcer(.enforce, "allow id 0781:5567 label \"role=printer\"\n", writer: writer)
        #expect(enforcer.decision(for: InProcessStation.stick).target == .allow)
        #expect(enforcer.role(of: InProcessStation.stick) == .printer, "the rule's label, not the guess")
        var replaced = enforcer.enforcement
        replaced.policy = Policy(rules: [], implicit: .reject)
        enforcer.replace(replaced)
        let decision = enforcer.decision(for: InProcessStation.stick)
        #expect(decision.target == .reject && decision.ruleLine == nil && decision.role == .storage)
    }

    @Test func anAllowedInterfaceIsAuthorizedAndProbedACutOneIsNot() throws {
        let writer = RecordingWriter()
        let enforcer = try enforcer(.enforce, "allow\n", writer: writer)
        var printer = InProcessStation.scanner
        printer.roleHint = "printer"
        let base = printer.syspath
        let interfaces = [
            USBInterface(name: "1-1:1.0", syspath: base + "/1-1:1.0", type: .init(classCode: 7, subclass: 1, protocol: 2),
                         authorized: false),
            USBInterface(name: "1-1:1.1", syspath: base + "/1-1:1.1",
                         type: .init(classCode: 8, subclass: 6, protocol: 0x50), authorized: false),
        ]
        let drafts = enforcer.decideInterfaces(interfaces, of: printer, role: .printer, time: time)
        #expect(writer.writes.map(\.description) == ["\(base)/1-1:1.0/authorized=1", "/sys/bus/usb/drivers_probe=1-1:1.0"],
                "the kernel binds no driver to an interface authorized late unless asked; the cut one is left alone")
        #expect(drafts.map(\.type) == ["enforcement.write", "enforcement.write", "interface.decision"])
        #expect(enforcer.cutInterfaces(of: printer).map(\.name) == ["1-1:1.1"])
        #expect(enforcer.decideInterfaces(interfaces, of: printer, role: .printer, time: time).isEmpty,
                "an interface seen again (its own uevent after its device's decision) is decided once")
        #expect(writer.writes.count == 2 && enforcer.cutInterfaces(of: printer).count == 1)
        enforcer.forgetInterfaces(of: printer)
        #expect(enforcer.decideInterfaces(interfaces, of: printer, role: .printer, time: time).count == 3,
                "a device that left and came back has its interfaces decided again")
    }
}
