import Foundation
import Logging

/// nats-server and PostgreSQL started together in one folder: `.almanac/` for `almanac dev`
/// (kept across runs, data reused), a temporary folder for tests.
///
/// Layout of the folder: `nats/` (config, log, JetStream store), `postgres/` (`data/`, log),
/// `ports.json` (the ports of the last run, reused when free so URLs stay the same), and
/// `almanac.lock` (held while the servers run, so two processes never share one folder).
public final class LocalServers: Sendable {
    public let configuration: Configuration
    public let nats: LocalNATSServer
    public let postgres: LocalPostgresServer
    private let lock: FolderLock

    private init(configuration: Configuration, nats: LocalNATSServer, postgres: LocalPostgresServer, lock: FolderLock) {
        self.configuration = configuration
        self.nats = nats
        self.postgres = postgres
        self.lock = lock
    }

    /// Starts both servers (in parallel) and returns once both accept connections.
    public static func start(
        _ configuration: Configuration,
        logger: Logger = Logger(label: "almanac.localservers")
    ) async throws -> LocalServers {
        let directory = configuration.directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lock = try FolderLock(directory.appendingPathComponent("almanac.lock"))
        let remembered = configuration.reusesPorts ? RememberedPorts.load(from: directory) : RememberedPorts()

        var natsConfiguration = LocalNATSServer.Configuration(
            directory: directory.appendingPathComponent("nats", isDirectory: true),
            port: configuration.natsPort ?? remembered.nats.flatMap(Self.ifFree),
            syncInterval: configuration.natsSyncInterval
        )
        natsConfiguration.monitoringPort = configuration.natsMonitoringPort ?? remembered.natsMonitoring.flatMap(Self.ifFree)
        let postgresConfiguration = LocalPostgresServer.Configuration(
            directory: directory.appendingPathComponent("postgres", isDirectory: true),
            port: configuration.postgresPort ?? remembered.postgres.flatMap(Self.ifFree),
            durability: configuration.postgresDurability
        )

        async let startedNATS = LocalNATSServer.start(natsConfiguration, logger: logger)
        async let startedPostgres = LocalPostgresServer.start(postgresConfiguration, logger: logger)
        let nats: LocalNATSServer
        let postgres: LocalPostgresServer
        do {
            nats = try await startedNATS
        } catch {
            await (try? startedPostgres)?.stop()
            throw error
        }
        do {
            postgres = try await startedPostgres
        } catch {
            await nats.stop()
            throw error
        }
        let servers = LocalServers(configuration: configuration, nats: nats, postgres: postgres, lock: lock)
        if configuration.reusesPorts {
            RememberedPorts(nats: nats.port, natsMonitoring: nats.monitoringPort, postgres: postgres.port).save(in: directory)
        }
        for database in configuration.databases { try await postgres.endpoint.ensureDatabase(database) }
        return servers
    }

    public var directory: URL { configuration.directory }
    public var natsURL: String { nats.url }

    /// libpq conninfo for a database on the local cluster.
    public func connectionString(database: String) -> String { postgres.connectionString(database: database) }

    /// Stops both servers (nats first: services publish to it until the end, then PostgreSQL) and
    /// releases the folder.
    public func stop() async {
        await nats.stop()
        await postgres.stop()
        lock.release()
    }

    /// Runs until the calling task is cancelled, then stops both servers; throws if a server dies
    /// meanwhile. The shape swift-service-lifecycle wants from a `Service`'s `run()`: wrap it in
    /// `cancelWhenGracefulShutdown { try await servers.run() }` and list this service first in the
    /// ServiceGroup, so it is shut down last.
    public func run() async throws {
        let failure: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask { await Self.watch(name: "nats-server", { try await self.nats.waitForUnexpectedExit() }) }
            group.addTask { await Self.watch(name: "postgres", { try await self.postgres.waitForUnexpectedExit() }) }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await stop()
        if let failure { throw failure }
    }

    /// A human summary for `almanac dev` to print.
    public var summary: String {
        var lines = [
            "NATS       \(nats.url)" + (nats.monitoringURL.map { "  (monitoring \($0))" } ?? ""),
            "PostgreSQL \(postgres.connectionString(database: "postgres"))  (socket \(postgres.socketDirectory))",
        ]
        lines.append("Data       \(directory.path)")
        return lines.joined(separator: "\n")
    }

    /// nil when cancelled (normal shutdown), an error when the server exited by itself.
    private static func watch(name: String, _ wait: @Sendable () async throws -> ProcessExitStatus?) async -> (any Error)? {
        do {
            let status = try await wait()
            return ServerFailure(server: name, reason: "stopped unexpectedly (\(status.map(\.description) ?? "not running"))")
        } catch {
            return nil
        }
    }

    private static func ifFree(_ port: Int) -> Int? { LoopbackPort.isFree(port) ? port : nil }
}
