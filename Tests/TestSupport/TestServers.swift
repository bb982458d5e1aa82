import Foundation
import Logging
import Synchronization

/// The servers of one test process.
public enum TestServers {
    private static let startup = Mutex<Task<TestEnvironment, any Error>?>(nil)

    /// nats-server (JetStream, sync_interval always) and PostgreSQL 15 on free loopback ports,
    /// started once per test process in a throwaway folder, stopped at process exit.
    ///
    /// Safe from parallel tests: the first caller starts the servers, the others await the same
    /// start (and see the same error if it failed).
    /// Set `ALMANAC_TEST_NATS_URL` and/or `ALMANAC_TEST_PG_HOST`, `ALMANAC_TEST_PG_PORT`,
    /// `ALMANAC_TEST_PG_USER` to use servers of your own instead.
    public static func shared() async throws -> TestEnvironment {
        let task = startup.withLock { task in
            if let task { return task }
            let started = Task { try await start() }
            task = started
            return started
        }
        return try await task.value
    }

    /// Quiet unless something goes wrong; ALMANAC_TEST_LOG_LEVEL=info (or debug) shows starts and stops.
    static let logger: Logger = {
        var logger = Logger(label: "almanac.test-servers")
        let level = ProcessInfo.processInfo.environment["ALMANAC_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .warning
        return logger
    }()

    private static func start() async throws -> TestEnvironment {
        let logger = TestServers.logger
        let root = try TestRoot.shared.directory()
        let settings = ProcessInfo.processInfo.environment
        let externalNATS = settings["ALMANAC_TEST_NATS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let externalPostgres = try ExternalPostgres.fromEnvironment(settings)

        async let nats: String = {
            if let externalNATS { return externalNATS }
            let configuration = LocalNATSServer.Configuration(directory: root.appendingPathComponent("nats", isDirectory: true))
            return try await LocalNATSServer.start(configuration, logger: logger).url
        }()
        async let postgres: PostgresEndpoint = {
            if let externalPostgres { return externalPostgres }
            let configuration = LocalPostgresServer.Configuration(
                directory: root.appendingPathComponent("postgres", isDirectory: true), durability: .throwaway
            )
            return try await LocalPostgresServer.start(configuration, logger: logger).endpoint
        }()
        return TestEnvironment(natsURL: try await nats, postgres: try await postgres, root: root)
    }
}

/// PostgreSQL given through ALMANAC_TEST_PG_* (trust or ~/.pgpass authentication).
enum ExternalPostgres {
    static func fromEnvironment(_ settings: [String: String]) throws -> PostgresEndpoint? {
        guard let host = settings["ALMANAC_TEST_PG_HOST"], !host.isEmpty else { return nil }
        let port = settings["ALMANAC_TEST_PG_PORT"].flatMap { Int($0) } ?? 5432
        let user = settings["ALMANAC_TEST_PG_USER"] ?? "postgres"
        let binDirectory = settings["ALMANAC_TEST_PG_BINDIR"] ?? "/usr/lib/postgresql/15/bin"
        return PostgresEndpoint(host: host, port: port, user: user, binDirectory: binDirectory)
    }
}
