import Foundation
import Testing

/// `make install DESTDIR=...` into a scratch root, then systemd's own tools on that root:
/// sysusers creates the users and groups, tmpfiles the directories, the catalog compiles,
/// and the installed units verify and score as in the repository.
@Suite(.serialized) struct InstallTests {
    static let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]

    /// A root with `make install` done into it (the debug build's binaries).
    static func installedRoot(mode: String = "monitor") throws -> String {
        let root = try Paths.temporaryDirectory() + "/root"
        let make = try runToCompletion("/usr/bin/make", [
            "-s", "-C", Paths.repository, "install", "DESTDIR=\(root)", "PRODUCTS=\(Paths.products)", "MODE=\(mode)",
        ], environment: environment)
        try #require(make.status == 0, "make install: \(make.stderr)")
        return root
    }

    private func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func theTreeHasEveryPieceWhereDebianExpectsIt() throws {
        let root = try Self.installedRoot()
        let expected: [(String, Int)] = [
            ("/usr/bin/nazoratd", 0o755),
            ("/usr/bin/nazoratctl", 0o755),
            ("/usr/bin/nazorat-uplink", 0o755),
            ("/usr/bin/nazorat-central", 0o755),
            ("/usr/share/bash-completion/completions/nazoratctl", 0o644),
            ("/usr/share/zsh/vendor-completions/_nazoratctl", 0o644),
            ("/usr/share/doc/nazorat/openapi.yaml", 0o644),
            ("/lib/systemd/system/nazoratd.service", 0o644),
            ("/lib/systemd/system/nazoratd.socket", 0o644),
            ("/lib/systemd/system/nazorat-uplink.service", 0o644),
            ("/usr/lib/sysusers.d/nazorat.conf", 0o644),
            ("/usr/lib/tmpfiles.d/nazorat.conf", 0o644),
            ("/usr/lib/systemd/catalog/nazorat.catalog", 0o644),
            ("/lib/udev/rules.d/70-nazorat.rules", 0o644),
            ("/etc/nazorat", 0o750),
            ("/etc/nazorat/nazorat.toml", 0o640),
            ("/etc/nazorat/rules.conf", 0o640),
            ("/usr/share/doc/nazorat/README.md", 0o644),
        ]
        for (path, expectedMode) in expected {
            #expect(try mode(root + path) == expectedMode, "\(path)")
        }
        let completion = try String(contentsOfFile: root + "/usr/share/bash-completion/completions/nazoratctl", encoding: .utf8)
        #expect(completion.contains("verify-log") && completion.contains("--socket"))
        // Monitor mode by default, and no early-boot rule that would leave devices unauthorized.
        #expect(!FileManager.default.fileExists(atPath: root + "/lib/udev/rules.d/71-nazorat-enforce.rules"))
        let check = try runToCompletion(root + "/usr/bin/nazoratd", ["--check-config", root + "/etc/nazorat/nazorat.toml"],
                                        environment: [:])
        // The installed file names /etc/nazorat/rules.conf, which only exists inside the root.
        #expect(check.stderr.contains("/etc/nazorat/rules.conf"), "\(check.stderr)")
        let config = try String(contentsOfFile: root + "/etc/nazorat/nazorat.toml", encoding: .utf8)
        #expect(config.contains("\nmode = \"monitor\"\n"))
    }

    @Test func enforceModeAddsTheEarlyBootRuleAndAnEnforcingConfiguration() throws {
        let root = try Self.installedRoot(mode: "enforce")
        #expect(FileManager.default.fileExists(atPath: root + "/lib/udev/rules.d/71-nazorat-enforce.rules"))
        let config = try String(contentsOfFile: root + "/etc/nazorat/nazorat.toml", encoding: .utf8)
        #expect(config.contains("\nmode = \"enforce\"\n"))
    }

    @Test func sysusersAndTmpfilesCreateTheUsersGroupsAndDirectories() throws {
        let root = try Self.installedRoot()
        #expect(try runToCompletion("/bin/systemd-sysusers", ["--root=\(root)"], environment: [:]).status == 0)
        let group = try String(contentsOfFile: root + "/etc/group", encoding: .utf8)
        for name in ["nazorat", "nazorat-admin", "nazorat-scanner", "nazorat-uplink"] {
            #expect(group.contains("\n\(name):") || group.hasPrefix("\(name):"), "group \(name)")
        }
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("nazorat:") && $0.hasSuffix(":nazorat-uplink") },
                "nazorat-uplink is in group nazorat, to reach the control socket")
        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("nazorat-uplink:x:") && passwd.contains(":/usr/sbin/nologin"))

        let tmpfiles = try runToCompletion("/bin/systemd-tmpfiles", ["--root=\(root)", "--create"], environment: [:])
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        #expect(try mode(root + "/var/lib/nazorat") == 0o700)
        #expect(try mode(root + "/run/nazorat") == 0o755)
    }

    @Test func theInstalledUnitsVerifyAndKeepTheirExposure() throws {
        let root = try Self.installedRoot()
        let units = root + "/lib/systemd/system"
        let complaints = try SystemdUnitTests.verify(["nazoratd.service", "nazoratd.socket", "nazorat-uplink.service"],
                                                     in: units, binaries: root + "/usr/bin")
        #expect(complaints.isEmpty, "\(complaints)")
        #expect(try SystemdUnitTests.exposure(of: units + "/nazoratd.service") <= 1.5)
        #expect(try SystemdUnitTests.exposure(of: units + "/nazorat-uplink.service") <= 1.5)
    }

    @Test func uninstallRemovesEverythingButTheConfigurationAndTheLog() throws {
        let root = try Self.installedRoot(mode: "enforce")
        try FileManager.default.createDirectory(atPath: root + "/var/lib/nazorat", withIntermediateDirectories: true)
        try "evidence".write(toFile: root + "/var/lib/nazorat/state.db", atomically: true, encoding: .utf8)
        let make = try runToCompletion("/usr/bin/make", ["-s", "-C", Paths.repository, "uninstall", "DESTDIR=\(root)"],
                                       environment: Self.environment)
        #expect(make.status == 0, "\(make.stderr)")
        let remaining = try FileManager.default.subpathsOfDirectory(atPath: root).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        #expect(remaining.sorted() == ["etc/nazorat/nazorat.toml", "etc/nazorat/rules.conf", "var/lib/nazorat/state.db"])
    }
}
