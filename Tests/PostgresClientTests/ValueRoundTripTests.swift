import Foundation
import PostgresClient
import Testing

@Suite("Parameterized values")
struct ValueRoundTripTests {
    static let awkwardStrings = [
        "", "plain", "it's", "\"double\"", "back\\slash", "\\x41", "tab\there", "new\nline", "cr\rlf\r\n",
        "'; drop table users; --", "$1", "unicode: żółw 日本語 🐢 \u{200B}", "%_*?", "\\N", "\\.",
    ]

    @Test func everySupportedTypeRoundTripsWithNulls() async throws {
        try await withTestPool { pool, _ in
            try await pool.executeScript(
                """
                create table value_types (
                    id int primary key, s text, i int8, i64 int8, d float8, b bool, t timestamptz,
                    u uuid, bytes bytea, j jsonb
                )
                """)
            let date = Date(timeIntervalSince1970: 1_714_567_890.123456)
            let uuid = UUID()
            let bytes = Data((0...255).map { UInt8($0) })
            struct Doc: Codable, Equatable { var name: String; var tags: [String]; var n: Int }
            let doc = Doc(name: "quote \" back \\ 🐢", tags: ["a", "b"], n: 7)
            let json = try PostgresJSON(encoding: doc)

            try await pool.execute(
                "insert into value_types values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                [1, "x'y\\z 🐢", Int.max, Int64.min, 3.141592653589793, true, date, uuid, bytes, json])
            try await pool.execute(
                "insert into value_types values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                [2, String?.none, Int?.none, Int64?.none, Double?.none, Bool?.none, Date?.none, UUID?.none, Data?.none, PostgresJSON?.none])

            let rows = try await pool.query("select * from value_types order by id")
            #expect(rows.count == 2)
            let full = rows[0]
            #expect(try full.decode(String.self, column: "s") == "x'y\\z 🐢")
            #expect(try full.decode(Int.self, column: "i") == Int.max)
            #expect(try full.decode(Int64.self, column: "i64") == Int64.min)
            #expect(try full.decode(Double.self, column: "d") == 3.141592653589793)
            #expect(try full.decode(Bool.self, column: "b") == true)
            let readDate = try full.decode(Date.self, column: "t")
            #expect(abs(readDate.timeIntervalSince(date)) < 0.000_001)
            #expect(try full.decode(UUID.self, column: "u") == uuid)
            #expect(try full.decode(Data.self, column: "bytes") == bytes)
            #expect(try full.decode(PostgresJSON.self, column: "j").decode(as: Doc.self) == doc)

            let empty = rows[1]
            #expect(try empty.decode(Int.self, at: 0) == 2)
            #expect(try empty.decode(String?.self, column: "s") == nil)
            #expect(try empty.decode(Int?.self, column: "i") == nil)
            #expect(try empty.decode(Int64?.self, column: "i64") == nil)
            #expect(try empty.decode(Double?.self, column: "d") == nil)
            #expect(try empty.decode(Bool?.self, column: "b") == nil)
            #expect(try empty.decode(Date?.self, column: "t") == nil)
            #expect(try empty.decode(UUID?.self, column: "u") == nil)
            #expect(try empty.decode(Data?.self, column: "bytes") == nil)
            #expect(try empty.decode(PostgresJSON?.self, column: "j") == nil)

            // NULL into a non-optional is a decoding error naming the column.
            let error = #expect(throws: PostgresDecodingError.self) { try empty.decode(String.self, column: "s") }
            #expect(error?.description.contains("\"s\"") == true)
        }
    }

    @Test func awkwardStringsRoundTripAsParameters() async throws {
        try await withTestPool { pool, _ in
            for text in Self.awkwardStrings {
                let echoed = try await pool.query("select $1::text, length($1::text)", [text])
                let (value, length) = try echoed[0].decode(String.self, Int.self)
                #expect(value == text)
                #expect(length == text.unicodeScalars.count)
            }
            // A value is never SQL: the "injection" stays a string and the table survives.
            try await pool.executeScript("create table victims (name text)")
            try await pool.execute("insert into victims values ($1)", ["x'); drop table victims; --"])
            #expect(try await pool.query("select name from victims").singleValue(String.self) == "x'); drop table victims; --")
        }
    }

    @Test func numbersAtTheEdges() async throws {
        try await withTestPool { pool, _ async throws in
            for value in [0.1, -0.0, 1e-300, 1.7976931348623157e308, .infinity, -.infinity, Double.leastNonzeroMagnitude] {
                #expect(try await pool.query("select $1::float8", [value]).singleValue(Double.self) == value)
            }
            #expect(try await pool.query("select $1::float8", [Double.nan]).singleValue(Double.self)?.isNaN == true)
            #expect(try await pool.query("select $1::int4 + 1", [Int32(41)]).singleValue(Int32.self) == 42)
            #expect(try await pool.query("select 7::int2").singleValue(Int.self) == 7)
            #expect(try await pool.query("select $1::text is null", [PostgresNull()]).singleValue(Bool.self) == true)
            // An untyped NULL takes the type of the column it goes into.
            try await pool.executeScript("create table nullable (n int, t timestamptz)")
            try await pool.execute("insert into nullable values ($1, $2)", [PostgresNull(), PostgresNull()])
        }
    }

    @Test func datesBeforeEpochAndInOtherZones() async throws {
        try await withTestPool { pool, _ in
            let old = Date(timeIntervalSince1970: -1_234_567_890.5)
            #expect(try await pool.query("select $1::timestamptz", [old]).singleValue(Date.self) == old)
            // The server's answer for a literal with an offset decodes to the same instant.
            let withOffset = try await pool.query("select '2024-03-10 08:30:00+05:30'::timestamptz").singleValue(Date.self)
            #expect(withOffset == Date(timeIntervalSince1970: 1_710_039_600))
            let day = try await pool.query("select '2024-02-29'::date").singleValue(Date.self)
            #expect(day == Date(timeIntervalSince1970: 1_709_164_800))
            #expect(try await pool.query("select 'infinity'::timestamptz").singleValue(Date.self) == .distantFuture)
        }
    }

    @Test func rowsDecodeByNameIndexAndTuple() async throws {
        try await withTestPool { pool, _ in
            let result = try await pool.query(
                "select g as n, 'row ' || g as label from generate_series(1, 3) g where g >= $1 order by g", [2])
            #expect(result.columns.columns.map(\.name) == ["n", "label"])
            #expect(result.columns.columns.map(\.type) == [.int4, .text])
            #expect(try result.decodeColumn(Int.self) == [2, 3])
            #expect(try result.map { try $0.decode(String.self, column: "label") } == ["row 2", "row 3"])
            #expect(result.commandTag == "SELECT 2")
            #expect(result.affectedRows == 2)
            #expect(throws: PostgresClientError.self) { try result[0].decode(Int.self, column: "missing") }
            #expect(throws: PostgresDecodingError.self) { try result[0].decode(Bool.self, at: 0) }
            #expect(try await pool.execute("select 1 where false") == 0)
        }
    }

    @Test func nulInTextIsRefusedNotTruncated() async throws {
        try await withTestPool { pool, _ in
            let error = await #expect(throws: PostgresClientError.self) {
                try await pool.query("select $1::text", ["before\u{0}after"])
            }
            #expect(error?.kind == .invalidArgument)
        }
    }
}
