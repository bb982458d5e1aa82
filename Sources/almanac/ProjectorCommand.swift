import ArgumentParser
import Foundation
import Logging
import NATSClient
import PostgresClient
import Projections
import ServiceLifecycle
import UnixSignals

struct ProjectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projector",
        abstract: "Build the PostgreSQL read models (one active instance per projection; others stand by).",
        subcommands: [Run.self, Skip.self, Retry.self],
        defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run projectors (all when no names are given) until SIGTERM/SIGINT.",
            discussion: "Examples:\n  almanac projector\n  almanac projector activity_bookings")

        @Argument(help: "Projection names (default: all).")
        var names: [String] = []

        @Option(help: "This instance's name in leases and `almanac lag`. Env: ALMANAC_INSTANCE.")
        var instance: String = ProcessInfo.processInfo.environment["ALMANAC_INSTANCE"] ?? Projector.defaultInstanceName()

        @Option(name: .customLong("batch-size"), help: "Most events per fetch and transaction.")
        var batchSize = Projector.Settings().batchSize

        @OptionGroup var nats: NATSOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try logging.bootstrap()
            let logger = Logger(label: "almanac.projector")
            let projections = try AlmanacProjections.catalog().select(names)
            try await DatabaseMigrations.apply(connectionString: database.url, logger: logger)
            let connection = try await nats.connect(name: "almanac-projector")
            defer { connection.close() }
            // A connection per projection, a second for each that stages its next batch while
            // applying one (`Projection.stage`), and one for the rest.
            let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-projector"),
                                    size: projections.count + projections.filter { $0.stage != nil }.count + 1, logger: logger)
            let projectors = projections.map {
                Projector(projection: $0, pool: pool, jetStream: connection.jetStream, instance: instance,
                          settings: .init(batchSize: batchSize), logger: logger)
            }
            logger.info("projector \(instance) running \(projections.map(\.name).joined(separator: ", "))")
            let group = ServiceGroup(configuration: .init(services: projectors.map { .init(service: $0) },
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            await pool.close()
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a projection stopped at a poison event pass it (recorded in projection_skipped_events).")

        @Argument(help: "Projection name.")
        var name: String

        @Option(name: .customLong("seq"), help: "The poison event's stream sequence, as the projector reported it.")
        var sequence: UInt64

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-projector-skip"), size: 1)
            do {
                try await ProjectionOperations.skip(name, sequence: sequence, pool: pool)
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
            print("projection \(name) will skip #\(sequence) and go on")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a projection stopped at a poison event try it again (after a fix).")

        @Argument(help: "Projection name.")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-projector-retry"), size: 1)
            do {
                try await ProjectionOperations.retry(name, pool: pool)
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
            print("projection \(name) will retry its poison event")
        }
    }
}
