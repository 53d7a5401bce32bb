import NazoratCore
import Testing

/// Who may do what on the control socket: one case per role, and the narrowing ones.
@Suite struct AccessPolicyTests {
    private func permissions(uid: UInt32 = 1000, user: String? = "ana", _ groups: Set<String>) -> Set<Permission> {
        AccessPolicy.permissions(uid: uid, user: user, groups: groups)
    }

    @Test func rootMayDoEverything() {
        #expect(permissions(uid: 0, user: "root", ["root"]) == Set(Permission.allCases))
    }

    @Test func techniciansReadAndAcknowledge() {
        #expect(permissions(["nazorat"]) == [.read, .acknowledgeAlarms])
    }

    @Test func administratorsAlsoAdminister() {
        #expect(permissions(["nazorat", "nazorat-admin"]) == [.read, .acknowledgeAlarms, .administer])
    }

    @Test func theScannerSoftwareOnlyReportsCountersThoughInTheSocketsGroup() {
        #expect(permissions(["nazorat", "nazorat-scanner"]) == [.reportCounters])
    }

    @Test func theUplinkOnlyHandlesTheOutboxThoughInTheSocketsGroup() {
        #expect(permissions(user: "nazorat-uplink", ["nazorat", "nazorat-uplink"]) == [.outbox])
    }

    @Test func anyoneElseMayDoNothing() {
        #expect(permissions(["users", "plugdev"]).isEmpty)
        #expect(permissions(user: nil, []).isEmpty)
    }
}
