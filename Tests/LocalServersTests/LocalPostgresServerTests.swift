import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("LocalPostgresServer", .timeLimit(.minutes(3)))
struct LocalPostgresServerTests {
    @Test("initdb, start, psql select 1, create a database, restart with the data, stop")
    func lifecycle() async throws {
        let environment = try await TestServers.shared()
        let postgres = try await environment.startPrivatePostgres(durability: .durable)
        let pid = try #require(postgres.pid)
        #expect(postgres.connectionString(database: "almanac")
            == "host=127.0.0.1 port=\(postgres.port) user=postgres dbname=almanac")
        #expect(FileManager.default.fileExists(atPath: "\(postgres.socketDirectory)/.s.PGSQL.\(postgres.port)"))

        let psql = "\(postgres.binDirectory)/psql"
        let selectOne = try await ProcessRunner.run(
            psql, ["-X", "-At", "-d", postgres.connectionString(database: "postgres"), "-c", "select 1"]
        ).checked()
        #expect(selectOne.output == "1\n")

        try await postgres.createDatabase("bookings")
        try await postgres.endpoint.psql("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('yes')", database: "bookings")
        await #expect(throws: ProcessFailure.self) { try await postgres.createDatabase("bookings") }
        #expect(try await postgres.endpoint.psql("SHOW fsync") == "on")

        try await postgres.restart()
        #expect(!processExists(pid))
        #expect(try await postgres.endpoint.psql("SELECT value FROM kept", database: "bookings") == "yes")

        let restartedPID = try #require(postgres.pid)
        await postgres.stop()
        #expect(postgres.pid == nil)
        #expect(!processExists(restartedPID))
        #expect(processes(mentioning: postgres.dataDirectory.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(postgres.socketDirectory)/.s.PGSQL.\(postgres.port)"))
    }

    @Test("recovers after a SIGKILL of the postmaster and its backends")
    func recoversFromKill() async throws {
        let environment = try await TestServers.shared()
        let postgres = try await environment.startPrivatePostgres()
        try await postgres.endpoint.psql("CREATE TABLE t (n int); INSERT INTO t VALUES (42)")
        let pid = try #require(postgres.pid)
        await postgres.kill()
        #expect(!processExists(pid))
        try await postgres.start()
        #expect(try await postgres.endpoint.psql("SELECT n FROM t") == "42")
        await postgres.stop()
    }

    @Test("puts the socket in a short folder when the data folder is too deep for one")
    func deepFolder() async throws {
        let environment = try await TestServers.shared()
        let deep = try environment.makeDirectory(prefix: "deep").appendingPathComponent(String(repeating: "d", count: 90))
        let postgres = try await LocalPostgresServer.start(.init(directory: deep, durability: .throwaway))
        #expect(postgres.socketDirectory.hasPrefix("/tmp/almanac-pg-"))
        #expect(FileManager.default.fileExists(atPath: "\(postgres.socketDirectory)/.s.PGSQL.\(postgres.port)"))
        #expect(try await postgres.endpoint.psql("SELECT 1") == "1")
        await postgres.stop()
        try? FileManager.default.removeItem(atPath: postgres.socketDirectory)
    }

    @Test("rejects database names that are not plain identifiers")
    func invalidDatabaseName() async throws {
        let environment = try await TestServers.shared()
        await #expect(throws: LocalServersMisuse.self) {
            try await environment.postgres.createDatabase("bad name; drop")
        }
    }
}
