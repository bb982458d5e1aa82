import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("LocalServers", .timeLimit(.minutes(3)))
struct LocalServersTests {
    @Test("starts both in one folder, locks it, and reuses data and ports on the next start")
    func devFolder() async throws {
        let environment = try await TestServers.shared()
        let folder = try environment.makeDirectory(prefix: "dev")
        var configuration = LocalServers.Configuration.development(directory: folder)
        configuration.postgresDurability = .throwaway

        let first = try await LocalServers.start(configuration)
        #expect(try await first.postgres.endpoint.databaseExists("almanac"))
        try await first.postgres.endpoint.psql("CREATE TABLE marker (id int)", database: "almanac")
        await #expect(throws: LocalServersMisuse.self) { _ = try await LocalServers.start(configuration) }
        let ports = (first.nats.port, first.postgres.port)
        let pids = [first.nats.pid, first.postgres.pid].compactMap { $0 }
        await first.stop()
        for pid in pids { #expect(!processExists(pid)) }

        let second = try await LocalServers.start(configuration)
        #expect(second.nats.port == ports.0)
        #expect(second.postgres.port == ports.1)
        #expect(try await second.postgres.endpoint.psql("SELECT count(*) FROM marker", database: "almanac") == "0")
        await second.stop()
        #expect(processes(mentioning: folder.path).isEmpty)
    }

    @Test("run() returns once cancelled, with both servers stopped")
    func runUntilCancelled() async throws {
        let environment = try await TestServers.shared()
        let servers = try await LocalServers.start(.test(directory: try environment.makeDirectory(prefix: "run")))
        let pids = [servers.nats.pid, servers.postgres.pid].compactMap { $0 }
        let running = Task { try await servers.run() }
        running.cancel()
        try await running.value
        #expect(!servers.nats.isRunning && !servers.postgres.isRunning)
        for pid in pids { #expect(!processExists(pid)) }
    }

    @Test("run() throws when a server dies by itself")
    func runReportsCrash() async throws {
        let environment = try await TestServers.shared()
        let servers = try await LocalServers.start(.test(directory: try environment.makeDirectory(prefix: "crash")))
        let running = Task { try await servers.run() }
        let pid = try #require(servers.nats.pid)
        kill(pid, SIGKILL)
        await #expect(throws: ServerFailure.self) { try await running.value }
        #expect(!servers.postgres.isRunning)
    }
}
