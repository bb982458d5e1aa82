import Foundation
import PostgresClient
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test func uniqueViolationKeepsSQLStateAndFields() async throws {
        try await withTestPool { pool, _ in
            try await pool.executeScript("create table sites (id int constraint sites_pkey primary key, name text)")
            try await pool.execute("insert into sites values ($1, $2)", [1, "a"])
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("insert into sites values ($1, $2)", [1, "b"])
            }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(error?.sqlState?.code == "23505")
            #expect(error?.severity == "ERROR")
            #expect(error?.constraintName == "sites_pkey")
            #expect(error?.tableName == "sites")
            #expect(error?.detail == "Key (id)=(1) already exists.")
            #expect(error?.description.contains("23505") == true)
            #expect(error?.description.contains("\n") == false)
            // The connection is still fine afterwards.
            #expect(try await pool.query("select count(*) from sites").singleValue(Int.self) == 1)
        }
    }

    @Test func syntaxErrorKeepsSQLStateAndPosition() async throws {
        try await withTestPool { pool, _ in
            let error = await #expect(throws: PostgresError.self) { try await pool.query("selec 1") }
            #expect(error?.sqlState == .syntaxError)
            #expect(error?.position == 1)
            #expect(error?.message.contains("syntax error") == true)
            let script = await #expect(throws: PostgresError.self) { try await pool.executeScript("select 1; select from where;") }
            #expect(script?.sqlState == .syntaxError)
        }
    }

    @Test func unreachableServerIsOneClearLine() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let configuration = PostgresConfiguration(conninfo: "host=127.0.0.1 port=1 dbname=x user=x", connectTimeout: .seconds(5))
        let error = await #expect(throws: PostgresClientError.self) { try await PostgresConnection.connect(configuration) }
        #expect(error?.kind == .unreachable)
        #expect(error?.description == "cannot reach PostgreSQL at 127.0.0.1:1: connection refused")

        // Through a pool and a URL, the same line.
        let pool = PostgresPool(PostgresConfiguration(conninfo: "postgresql://x@127.0.0.1:1/x"))
        let pooled = await #expect(throws: PostgresClientError.self) { try await pool.query("select 1") }
        #expect(pooled?.description == "cannot reach PostgreSQL at 127.0.0.1:1: connection refused")
        #expect(pool.counts.open == 0)
        await pool.close()
    }

    @Test func unknownDatabaseIsOneLineToo() async throws {
        let configuration = try await makeTestDatabase()
        let wrong = PostgresConfiguration(conninfo: configuration.conninfo + " dbname=no_such_database_here")
        let error = await #expect(throws: PostgresClientError.self) { try await PostgresConnection.connect(wrong) }
        #expect(error?.kind == .connectionRejected)
        #expect(error?.description.hasPrefix("cannot connect to PostgreSQL at ") == true)
        #expect(error?.description.hasSuffix("database \"no_such_database_here\" does not exist") == true)
    }

    @Test func connectFailureMessagesAreFolded() {
        let refused = "connection to server at \"10.0.0.9\", port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
        #expect(connectFailureText(refused, "10.0.0.9:5432") == "cannot reach PostgreSQL at 10.0.0.9:5432: connection refused")
        let host = "could not translate host name \"nosuch\" to address: Name or service not known\n"
        #expect(connectFailureText(host, "nosuch:5432") == "cannot reach PostgreSQL at nosuch:5432: could not translate host name \"nosuch\" to address: Name or service not known")
        let auth = "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"bob\"\n"
        #expect(connectFailureText(auth, "127.0.0.1:5432") == "cannot connect to PostgreSQL at 127.0.0.1:5432: password authentication failed for user \"bob\"")
    }
}
