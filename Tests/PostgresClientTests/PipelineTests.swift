import Foundation
import PostgresClient
import Testing

@Suite("Pipeline mode")
struct PipelineTests {
    @Test func batchRunsInOrderInOneRoundTrip() async throws {
        try await withTestPool(size: 1) { pool, _ in
            try await pool.executeScript("create table events (seq int8 primary key, body text)")
            var statements = (1...500).map { PostgresStatement("insert into events values ($1, $2)", [Int64($0), "event \($0) \\ 'x'"]) }
            statements.append(PostgresStatement("select count(*), max(seq) from events where seq >= $1", [Int64(1)]))
            let results = try await pool.pipeline(statements)
            #expect(results.count == 501)
            #expect(results[0].affectedRows == 1)
            let (count, max) = try results[500][0].decode(Int.self, Int64.self)
            #expect(count == 500 && max == 500)
            #expect(try await pool.query("select body from events where seq = 7").singleValue(String.self) == "event 7 \\ 'x'")
        }
    }

    @Test func failingStatementRollsBackTheWholeBatch() async throws {
        try await withTestPool(size: 1) { pool, _ in
            try await pool.executeScript("create table events (seq int8 primary key)")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.pipeline([
                    PostgresStatement("insert into events values ($1)", [1]),
                    PostgresStatement("insert into events values ($1)", [1]),
                    PostgresStatement("insert into events values ($1)", [2]),
                ])
            }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(try await pool.query("select count(*) from events").singleValue(Int.self) == 0)
            // The connection left pipeline mode cleanly and is reused.
            #expect(try await pool.pipeline([PostgresStatement("select 1")]).first?.singleValue(Int.self) == 1)
            #expect(pool.counts.open == 1)
        }
    }
}
