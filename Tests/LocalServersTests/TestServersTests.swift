import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("TestServers", .timeLimit(.minutes(2)))
struct TestServersTests {
    @Test("concurrent callers share one start; each database is new and empty")
    func sharedByParallelTests() async throws {
        let environments = try await withThrowingTaskGroup(of: TestEnvironment.self) { group in
            for _ in 0..<8 { group.addTask { try await TestServers.shared() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(environments.map(\.natsURL)).count == 1)
        let environment = try #require(environments.first)
        #expect(environment.natsURL.hasPrefix("nats://127.0.0.1:"))

        let databases = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try await environment.makeDatabase(prefix: "Shared-Test") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(databases).count == 4)
        for conninfo in databases {
            #expect(conninfo.hasPrefix("host=127.0.0.1 port=\(environment.postgres.port) user=postgres dbname=shared_test_"))
            let name = String(conninfo.split(separator: "=").last!)
            let tables = try await environment.postgres.psql(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: name
            )
            #expect(tables == "0")
        }
        // The shared cluster is the throwaway kind.
        #expect(try await environment.postgres.psql("SHOW fsync") == "off")
    }

    @Test("finds the test binary's build folder")
    func buildFolder() throws {
        let folder = BuiltProducts.directory
        #expect(FileManager.default.fileExists(atPath: folder.path))
        #expect(throws: LocalServersMisuse.self) { try BuiltProducts.executable(named: "no-such-tool") }
    }
}
