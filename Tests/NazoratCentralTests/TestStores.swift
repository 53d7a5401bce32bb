import FoundationEssentials
import GRDB
import Logging
@testable import NazoratCentral
import NazoratCentralPostgres
import NazoratTestbed
import Testing

/// The two stores the protocol's tests run against: a fresh SQLite file, or a fresh database
/// on the PostgreSQL server `make test` started.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh store of this kind; `close` it at the end of the test.
    func make() async throws -> TestStore {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.path + "/nazorat-store-\(UInt64.random(in: 0...UInt64.max))"
            return TestStore(database: try Central.sqlite(stateDirectory: directory), sqliteDirectory: directory, postgres: nil)
        case .postgres:
            let name = try TestPostgres.createDatabase()
            let database = try await PostgresStore.open(try DatabaseURL(try TestPostgres.url(name)), password: nil,
                                                        logger: Logger(label: "test"))
            return TestStore(database: database, sqliteDirectory: nil, postgres: name)
        }
    }
}

/// A store under test, and its rows read straight from the database (as an auditor would).
struct TestStore {
    let database: any CentralDatabase
    let sqliteDirectory: String?
    let postgres: String?

    /// The first column of each row `sql` selects, as text.
    func column(_ sql: String) throws -> [String] {
        if let postgres {
            return try TestPostgres.psql(database: postgres, sql).split(separator: "\n").map(String.init)
        }
        let store = try #require(database as? SQLiteStore)
        // GRDB reads any column as text (sqlite3_column_text), integers too.
        return try store.pool.read { db in try String.fetchAll(db, sql: sql) }
    }

    /// Stores `envelope` as accepted for `record` (whose state it becomes), as a batch would.
    func accept(_ record: StationRecord, seq: Int64, envelope: String, now: Int64) async throws {
        try await database.batch(headers: [], now: now) { ledger in
            ledger.accept(record, seq: seq, kind: "thinned", envelope: envelope, reports: .none)
        }
    }

    func close() async {
        await database.close()
        if let sqliteDirectory { try? FileManager.default.removeItem(atPath: sqliteDirectory) }
    }
}
