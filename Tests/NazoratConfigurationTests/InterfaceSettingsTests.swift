import NazoratConfiguration
import NazoratCore
import Testing

/// `[[interfaces]]`: the interface policy as the configuration writes it.
@Suite struct InterfaceSettingsTests {
    private let head = "station = \"TSH-1\"\nmode = \"enforce\"\n"
    private let file = "/etc/nazorat/nazorat.toml"

    private func error(_ text: String) -> String? {
        do {
            _ = try Configuration.parse(head + text, file: file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func withoutTablesTheShippedPolicyApplies() throws {
        #expect(try Configuration.parse(head, file: file).interfaces == .shipped)
    }

    @Test func tablesAreReadInOrderWithWhereEachWasWritten() throws {
        let configuration = try Configuration.parse(head + """
            [[interfaces]]
            allow = ["08:06:50"]
            devices = "id 04b8:0e28"

            [[interfaces]]
            block = ["03:*:*", "e0:01:*"]
            except-roles = ["keyboard", "ups"]
            """, file: file)
        let entries = configuration.interfaces.entries
        #expect(entries.count == 2)
        #expect(entries[0].target == .allow && entries[0].interfaces == [.init(classCode: 8, subclass: 6, protocol: 0x50)])
        #expect(entries[0].devices?.id != nil && entries[0].roles == nil && entries[0].origin == "\(file):3")
        #expect(entries[1].target == .block && entries[1].exceptRoles == [.keyboard, .ups])
        #expect(entries[1].interfaces == [.init(classCode: 3), .init(classCode: 0xe0, subclass: 1)])
        #expect(entries[1].origin == "\(file):7")
    }

    @Test func aBadEntryIsRefusedWithFileLineAndColumn() {
        #expect(error("[[interfaces]]\nblock = [\"08:*\"]\n")
                == "\(file):4:1: 'interfaces[1].block' \"08:*\" is not an interface type: write cc:ss:pp, cc:ss:* or "
                + "cc:*:* in hex, as in USBGuard's with-interface")
        #expect(error("[[interfaces]]\nallow = [\"03:*:*\"]\n[[interfaces]]\n  roles = [\"printer\"]\n")
                == "\(file):5:1: 'interfaces[2]' needs allow or block: a list of interface types such as \"08:*:*\"")
        #expect(error("[[interfaces]]\nallow = [\"03:*:*\"]\n  block = [\"08:*:*\"]\n")
                == "\(file):5:3: 'interfaces[1].block' cannot go with allow in one table: write a table for each")
        #expect(error("[[interfaces]]\nblock = [\"03:*:*\"]\nroles = [\"toaster\"]\n")?
                .hasPrefix("\(file):5:1: 'interfaces[1].roles' \"toaster\" is not a role; the roles are ballot-scanner") == true)
        #expect(error("[[interfaces]]\nblock = [\"03:*:*\"]\ndevices = \"id 04b8\"\n")?
                .hasPrefix("\(file):5:1: 'interfaces[1].devices' is not a list of rule attributes: ") == true)
        #expect(error("[[interfaces]]\nblock = [\"03:*:*\"]\ncut = true\n")?
                .hasPrefix("\(file):5:1: unknown key 'interfaces[1].cut'") == true)
        #expect(error("[[interfaces]]\nblock = []\n")?.hasSuffix("'interfaces[1].block' must name at least one interface type") == true)
        #expect(error("interfaces = 3\n")?.contains("must be a list of tables ([[interfaces]])") == true)
    }
}
