/// A value bound to a statement's placeholder.
package enum SQLValue: Sendable, Equatable {
    case integer(Int64?)
    case text(String?)
}

/// One SQL statement as both stores run it: `?` placeholders, in the SQL that SQLite and
/// PostgreSQL both take (`ON CONFLICT DO NOTHING`, `COALESCE`). Central's writes are written
/// once (``CentralSQL``), so that the embedded and the national store cannot drift apart.
package struct SQLStatement: Sendable, Equatable {
    package let sql: String
    package let values: [SQLValue]

    package init(_ sql: String, _ values: [SQLValue] = []) {
        self.sql = sql
        self.values = values
    }

    /// The SQL with PostgreSQL's numbered placeholders (`$1`, `$2`…): central's statements
    /// hold no `?` inside a literal.
    package var numberedSQL: String {
        var out = "", number = 0
        for character in sql {
            if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// A row of either store, read by column name.
package protocol SQLRow {
    func integer(_ column: String) throws -> Int64?
    func text(_ column: String) throws -> String?
}

/// A column that must not be NULL was: the database is not one central made.
package struct MissingColumn: Error, CustomStringConvertible {
    package let column: String
    package var description: String { "central's database has no value in column \(column): it was not made by nazorat-central" }
}

extension SQLRow {
    package func integer(required column: String) throws -> Int64 {
        guard let value = try integer(column) else { throw MissingColumn(column: column) }
        return value
    }

    package func text(required column: String) throws -> String {
        guard let value = try text(column) else { throw MissingColumn(column: column) }
        return value
    }
}
