import NazoratCore

/// The `[[interfaces]]` tables: ``InterfacePolicy``'s entries, in file order. Without any,
/// the shipped policy (``InterfacePolicy/shipped``) applies; to cut nothing, write one entry
/// that allows the interfaces you want to keep, since the first entry that applies decides.
enum InterfaceSettings {
    static let keys = ["allow", "block", "roles", "except-roles", "devices"]

    static func read(_ root: KeyReader) throws(ConfigurationError) -> InterfacePolicy {
        guard let value = root.value("interfaces") else { return .shipped }
        guard let array = value.array else {
            throw root.error(at: "interfaces", "must be a list of tables ([[interfaces]]), not \(value.typeName)")
        }
        var entries: [InterfacePolicy.Entry] = []
        for (index, element) in array.enumerated() {
            let name = "interfaces[\(index + 1)]"
            guard let table = element.table else {
                throw root.error(at: "interfaces", "must be a list of tables ([[interfaces]]), not a list of \(element.typeName)")
            }
            entries.append(try entry(KeyReader(table: table, file: root.file, prefix: name)))
        }
        return InterfacePolicy(entries: entries)
    }

    private static func entry(_ reader: KeyReader) throws(ConfigurationError) -> InterfacePolicy.Entry {
        try reader.rejectUnknownKeys(allowed: keys)
        let allow = try patterns(reader, "allow"), block = try patterns(reader, "block")
        guard allow != nil || block != nil else {
            throw reader.tableError("needs allow or block: a list of interface types such as \"08:*:*\"")
        }
        guard allow == nil || block == nil else {
            throw reader.error(at: "block", "cannot go with allow in one table: write a table for each")
        }
        return InterfacePolicy.Entry(
            target: allow == nil ? .block : .allow, interfaces: allow ?? block ?? [],
            roles: try roles(reader, "roles"), exceptRoles: try roles(reader, "except-roles") ?? [],
            devices: try devices(reader), origin: "\(reader.file):\(reader.table.position.line)")
    }

    private static func patterns(_ reader: KeyReader, _ key: String) throws(ConfigurationError) -> [Rule.InterfacePattern]? {
        guard let texts = try reader.strings(key) else { return nil }
        guard !texts.isEmpty else { throw reader.error(at: key, "must name at least one interface type") }
        var patterns: [Rule.InterfacePattern] = []
        for text in texts {
            do {
                patterns.append(try Rule.InterfacePattern.parse(text))
            } catch {
                throw reader.error(at: key, "\"\(Quoted.escape(text))\" is not an interface type: write cc:ss:pp, cc:ss:* "
                                       + "or cc:*:* in hex, as in USBGuard's with-interface")
            }
        }
        return patterns
    }

    private static func roles(_ reader: KeyReader, _ key: String) throws(ConfigurationError) -> Set<Role>? {
        guard let texts = try reader.strings(key) else { return nil }
        var roles: Set<Role> = []
        for text in texts {
            guard let role = Role(rawValue: text) else {
                throw reader.error(at: key, "\"\(Quoted.escape(text))\" is not a role; the roles are "
                                       + Role.allCases.map(\.rawValue).joined(separator: ", "))
            }
            roles.insert(role)
        }
        return roles
    }

    /// `devices = "id 04b8:0e28 serial \"X6TK\""`: rule attributes, read by the rule parser.
    private static func devices(_ reader: KeyReader) throws(ConfigurationError) -> Rule? {
        guard reader.value("devices") != nil else { return nil }
        let text = try reader.string("devices", required: true, default: "")
        do {
            return try RuleParser(file: reader.file).parseRule("allow " + text)
        } catch {
            // The parser counts columns in "allow " + text; the message says what was expected.
            throw reader.error(at: "devices", "is not a list of rule attributes: \(error.message)")
        }
    }
}
