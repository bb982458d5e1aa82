import Foundation
import PostgresClient
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    @Test func awkwardRowsReadBackIdentical() async throws {
        try await withTestPool { pool, _ in
            try await pool.executeScript("create table copied (n int, s text, b bytea, t timestamptz)")
            var rows: [[any PostgresEncodable]] = []
            for (i, text) in ValueRoundTripTests.awkwardStrings.enumerated() {
                rows.append([i, text, Data([0, 9, 10, 13, 92, UInt8(i), 255]), Date(timeIntervalSince1970: Double(i) * 1000.5)])
            }
            rows.append([1000, String?.none, Data?.none, Date?.none])
            rows.append([1001, "\\N", Data(), Date(timeIntervalSince1970: 0)])
            // A tiny chunk size makes the load stream in many PQputCopyData calls.
            let copied = try await pool.withConnection {
                try await $0.copyFrom(table: "copied", columns: ["n", "s", "b", "t"], rows: rows, chunkSize: 16)
            }
            #expect(copied == rows.count)

            let back = try await pool.query("select n, s, b, t from copied order by n")
            #expect(back.count == rows.count)
            for (i, text) in ValueRoundTripTests.awkwardStrings.enumerated() {
                let (n, s, b, t) = try back[i].decode(Int.self, String?.self, Data?.self, Date?.self)
                #expect(n == i)
                #expect(s == text)
                #expect(b == Data([0, 9, 10, 13, 92, UInt8(i), 255]))
                #expect(t == Date(timeIntervalSince1970: Double(i) * 1000.5))
            }
            let nulls = back[back.count - 2]
            #expect(try nulls.decode(String?.self, at: 1) == nil)
            #expect(try nulls.decode(Data?.self, at: 2) == nil)
            #expect(try nulls.decode(Date?.self, at: 3) == nil)
            let literal = back[back.count - 1]
            #expect(try literal.decode(String?.self, at: 1) == "\\N")  // the two characters, not NULL
            #expect(try literal.decode(Data?.self, at: 2) == Data())
        }
    }

    @Test func textRowsAndAsyncRowsAndManyRows() async throws {
        try await withTestPool { pool, _ in
            try await pool.executeScript("create table lines (id int8, body text)")
            try await pool.withConnection { connection in
                let text = try await connection.copyFrom(
                    table: "lines", columns: ["id", "body"], textRows: [["1", "a\tb"], ["2", nil]])
                #expect(text == 2)
                let stream = AsyncStream<[any PostgresEncodable]> { continuation in
                    for i in 3...20_000 { continuation.yield([i, "line \(i)\n"]) }
                    continuation.finish()
                }
                #expect(try await connection.copyFrom(table: "lines", columns: ["id", "body"], rows: stream) == 19_998)
            }
            #expect(try await pool.query("select count(*), sum(id) from lines").map { try $0.decode(Int.self, Int.self) }.first! == (20_000, 200_010_000))
            #expect(try await pool.query("select body from lines where id = 1").singleValue(String.self) == "a\tb")
            #expect(try await pool.query("select body from lines where id = 20000").singleValue(String.self) == "line 20000\n")
        }
    }

    @Test func failedCopyLoadsNothingAndKeepsTheConnection() async throws {
        try await withTestPool(size: 1) { pool, _ in
            try await pool.executeScript("create table strict (id int primary key)")
            // A server-side failure (duplicate key) mid-stream.
            let duplicate = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { try await $0.copyFrom(table: "strict", columns: ["id"], rows: [[1], [2], [1]]) }
            }
            #expect(duplicate?.sqlState == .uniqueViolation)
            // A client-side failure (wrong row width): the COPY is aborted.
            await #expect(throws: PostgresClientError.self) {
                try await pool.withConnection { try await $0.copyFrom(table: "strict", columns: ["id"], rows: [[3], [4, 5]]) }
            }
            // An unknown table.
            let missing = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { try await $0.copyFrom(table: "nope", columns: ["id"], rows: [[1]]) }
            }
            #expect(missing?.sqlState == .undefinedTable)
            #expect(try await pool.query("select count(*) from strict").singleValue(Int.self) == 0)
            #expect(pool.counts.open == 1)  // the same connection served throughout
        }
    }
}
