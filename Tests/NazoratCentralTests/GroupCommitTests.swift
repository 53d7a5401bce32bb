import FoundationEssentials
import GRDB
@testable import NazoratCentral
import Testing

/// Group commit, as SQLite's store runs it: batches that share a transaction behave as if each
/// had its own.
@Suite struct GroupCommitTests {
    struct StorageBroke: Error {}

    private func database() throws -> DatabasePool {
        let path = FileManager.default.temporaryDirectory.path + "/nazorat-group-\(UInt64.random(in: 0...UInt64.max)).db"
        let pool = try DatabasePool(path: path)
        try pool.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        return pool
    }

    @Test func eachBatchIsAnsweredAfterTheCommitThatHoldsItAndAFailingOneFailsAlone() async throws {
        let pool = try database()
        let commits = SQLiteStore.batches(on: pool)
        let answers = await withTaskGroup(of: (n: Int, answered: Int?, committed: Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        let echoed: Int = try await commits.submit(station: nil) { answer in
                            { db in
                                try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [n])
                                if n == 77 { throw StorageBroke() }
                                return { answer(n) }
                            }
                        }
                        // Another connection sees only what was committed.
                        let seen = try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t WHERE n = ?", arguments: [n]) }
                        return (n, echoed, seen == 1)
                    } catch {
                        return (n, nil, false)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 200)
        for answer in answers where answer.n != 77 {
            #expect(answer.answered == answer.n && answer.committed, "batch \(answer.n) answered with its own result, committed")
        }
        #expect(answers.first { $0.n == 77 }?.answered == nil, "the failing batch is answered with its error")
        let rows = try await pool.read { try Int.fetchAll($0, sql: "SELECT n FROM t ORDER BY n") }
        #expect(rows == Array(0..<200).filter { $0 != 77 }, "the others kept, the failing one's write rolled back")
    }

    @Test func aBatchSeesWhatTheBatchesBeforeItInItsGroupWrote() async throws {
        let pool = try database()
        let commits = SQLiteStore.batches(on: pool)
        // Each takes the next number after the highest: 100 at once leave no hole and no clash.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await commits.submit(station: nil) { answer in
                        { db in
                            let next = (try Int.fetchOne(db, sql: "SELECT MAX(n) FROM t") ?? -1) + 1
                            try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [next])
                            return { answer(next) }
                        }
                    }
                }
            }
            let taken = try await group.reduce(into: []) { $0.append($1) }
            #expect(taken.sorted() == Array(0..<100))
        }
        #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 100)
    }
}
