import Foundation
import NATSClient
import Testing
import TestSupport

/// The `almanac` executable as an operator meets it: real processes, real servers.
@Suite("almanac CLI")
struct AlmanacCLITests {
    @Test("an unreachable NATS server is one plain line on stderr and exit status 1")
    func unreachableNATS() async throws {
        let port = try LoopbackPort.free()
        let result = try await BuiltProducts.run("almanac", ["streams", "--nats-url", "nats://127.0.0.1:\(port)"])
        #expect(result.status == .exited(code: 1))
        #expect(result.errorOutput == "almanac: cannot reach NATS at nats://127.0.0.1:\(port): connection refused\n")
        #expect(result.output.isEmpty)
    }

    @Test("a subject filter with a space is a usage error naming the problem, before anything connects")
    func badFilter() async throws {
        let result = try await BuiltProducts.run("almanac", ["tail", "bookings.a b", "--nats-url", "nats://127.0.0.1:1"])
        #expect(result.status != .exited(code: 0))
        #expect(result.errorOutput.contains("invalid subject \"bookings.a b\": whitespace or control character"))
        #expect(!result.errorOutput.contains("cannot reach"))
    }

    @Test("two almanac migrate processes started at once both succeed, and each migration is applied once")
    func concurrentMigrateProcesses() async throws {
        let env = try await TestServers.shared()
        let database = try await env.makeDatabase(prefix: "migrate")
        let environment: [String: String?] = ["ALMANAC_DATABASE_URL": database, "ALMANAC_SCHEMAS": repositoryRoot.appendingPathComponent("schemas").path]
        async let first = BuiltProducts.run("almanac", ["migrate"], environment: environment)
        async let second = BuiltProducts.run("almanac", ["migrate"], environment: environment)
        let results = try await [first, second]
        for result in results {
            #expect(result.status == .exited(code: 0), "\(result.errorOutput)")
        }
        let migrations = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("schemas/sql").path).filter { $0.hasSuffix(".sql") }
        // One process applied everything, the other found it done.
        let appliedLines = results.flatMap { $0.output.split(separator: "\n").filter { $0.hasPrefix("applied ") } }
        #expect(appliedLines.count == migrations.count)
        #expect(results.contains { $0.output == "database is up to date\n" })
        let databaseName = String(database.split(separator: " ").first { $0.hasPrefix("dbname=") }!.dropFirst("dbname=".count))
        let recorded = try await env.postgres.psql("select count(*), count(distinct version) from schema_migrations", database: databaseName)
        #expect(recorded.trimmingCharacters(in: .whitespacesAndNewlines) == "\(migrations.count)|\(migrations.count)")
    }

    @Test("an unreachable database is one plain line too")
    func unreachableDatabase() async throws {
        let port = try LoopbackPort.free()
        let result = try await BuiltProducts.run("almanac", ["migrate", "--database-url", "postgresql://127.0.0.1:\(port)/almanac"])
        #expect(result.status == .exited(code: 1))
        #expect(result.errorOutput == "almanac: cannot reach PostgreSQL at 127.0.0.1:\(port): connection refused\n")
    }

    @Test("almanac dev starts the servers, creates the streams, migrates, seeds the demo catalog through the booking handler, and stops everything on SIGTERM")
    func devRunsAndStops() async throws {
        let env = try await TestServers.shared()
        let folder = try env.makeDirectory(prefix: "dev")
        let log = folder.appendingPathComponent("dev.log")
        let dev = try await BuiltProducts.spawn("almanac", ["dev", "--data-dir", folder.appendingPathComponent("data").path],
                                                environment: ["ALMANAC_SCHEMAS": repositoryRoot.appendingPathComponent("schemas").path], logFile: log)
        let banner = try await LogWatcher.waitFor(file: log, containing: "Almanac is running", timeout: .seconds(120))
        let natsURL = try #require(banner.split(separator: "\n").first { $0.hasPrefix("NATS ") }?.split(separator: " ").dropFirst().first.map(String.init))

        _ = try await LogWatcher.waitFor(file: log, containing: "demo catalog ready", timeout: .seconds(120))
        let streams = try await BuiltProducts.run("almanac", ["streams", "--nats-url", natsURL])
        for name in ["BOOKINGS", "FLOWS", "RUNS", "WORK", "SCHEDULES"] {
            #expect(streams.output.split(separator: "\n").contains { $0.hasPrefix(name + " ") }, "missing stream \(name)")
        }
        let bookings = streams.output.split(separator: "\n").first { $0.hasPrefix("BOOKINGS ") }?.split(separator: " ").dropFirst(2).first
        #expect(bookings.flatMap { Int($0) }.map { $0 > 200 } == true, "the demo catalog (200 desks and more) is in BOOKINGS")

        // The projector turns it into the read model the booking page queries.
        let database = try #require(banner.split(separator: "\n").first { $0.hasPrefix("Database ") })
        let port = try #require(database.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) })
        let postgres = PostgresEndpoint(host: "127.0.0.1", port: port, user: "postgres", binDirectory: env.postgres.binDirectory)
        let deadline = ContinuousClock.now + .seconds(60)
        var desks = ""
        while ContinuousClock.now < deadline {
            desks = (try? await postgres.psql("select count(*) from booking.resources where kind = 'desk'", database: "almanac"))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if desks == "200" { break }
            try await Task.sleep(for: .milliseconds(200)) // re-check the read model until the projector caught up
        }
        #expect(desks == "200")
        let pidFile = folder.appendingPathComponent("data/postgres/data/postmaster.pid")
        #expect(FileManager.default.fileExists(atPath: pidFile.path))

        let status = await dev.terminate(signal: SIGTERM, grace: .seconds(30))
        #expect(status == .exited(code: 0))
        // Both servers are gone: nothing answers on the NATS port and PostgreSQL removed its pid file.
        let after = try await BuiltProducts.run("almanac", ["streams", "--nats-url", natsURL])
        #expect(after.status == .exited(code: 1))
        #expect(!FileManager.default.fileExists(atPath: pidFile.path))
    }

    @Test("--help lists the subcommands a newcomer starts with")
    func help() async throws {
        let result = try await BuiltProducts.run("almanac", ["--help"])
        #expect(result.status == .exited(code: 0))
        for subcommand in ["dev", "migrate", "streams", "tail"] {
            #expect(result.output.contains("\n  \(subcommand) "), "missing \(subcommand)")
        }
    }

    @Test("streams lists a stream with its message count; tail --all prints its events")
    func streamsAndTail() async throws {
        let env = try await TestServers.shared()
        let name = "CLI_\(UUID().uuidString.prefix(8))"
        let prefix = name.lowercased()
        let setup = try await BuiltProducts.run("almanac", ["streams"], environment: ["ALMANAC_NATS_URL": env.natsURL])
        #expect(setup.status == .exited(code: 0))
        // Create and fill the stream with the library, then look at it through the CLI.
        let nats = try await NATSClientFixture.connect(env.natsURL)
        defer { nats.close() }
        try await nats.stream(name: name, prefix: prefix, events: 3)

        let streams = try await BuiltProducts.run("almanac", ["streams"], environment: ["ALMANAC_NATS_URL": env.natsURL])
        #expect(streams.status == .exited(code: 0))
        let row = streams.output.split(separator: "\n").first { $0.hasPrefix(name) }
        #expect(row?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first == "3")

        // tail follows live until stopped: read its output until the third event shows up.
        let log = try env.makeDirectory(prefix: "tail").appendingPathComponent("tail.log")
        let tail = try await BuiltProducts.spawn("almanac", ["tail", "\(prefix).>", "--all"], environment: ["ALMANAC_NATS_URL": env.natsURL], logFile: log)
        let text = try await LogWatcher.waitFor(file: log, containing: "#3  \(prefix).e.3  test.happened v1", timeout: .seconds(20))
        _ = await tail.terminate(grace: .seconds(5))
        #expect(text.contains("#1  \(prefix).e.1  test.happened v1"))
        #expect(text.contains("\"n\" : 2"))
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
