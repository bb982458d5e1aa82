import ArgumentParser
import EventStore
import FlowControl
import FlowRuntime
import Foundation
import HTTPClient
import LocalServers
import Logging
import Mail
import NATSClient
import Access
import BookingWeb
import PostgresClient
import Projections
import ServiceLifecycle
import UnixSignals

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run everything locally: nats-server and PostgreSQL in .almanac/, streams, migrations and every role, then print URLs.",
        discussion: "Data stays in the folder between runs; delete it to start afresh. Stop with Ctrl-C: services finish what they hold, then the servers stop.")

    @Option(name: .customLong("data-dir"), help: "Folder for the local servers' data.")
    var dataDirectory = ".almanac"

    @Option(name: .customLong("web-port"), help: "Port of the booking page (another free one when taken).")
    var webPort = 8080

    @Flag(name: .customLong("relaxed-durability"), help: "Let nats-server fsync on its own timer instead of before every acknowledgement (faster, can lose recent events in a crash).")
    var relaxedDurability = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap()
        let logger = Logger(label: "almanac.dev")
        var configuration = LocalServers.Configuration.development(directory: URL(fileURLWithPath: dataDirectory, isDirectory: true))
        configuration.natsSyncInterval = relaxedDurability ? .serverDefault : .always
        logger.info("starting nats-server and PostgreSQL in \(dataDirectory)")
        let servers = try await LocalServers.start(configuration, logger: logger)
        let nats: NATSConnection
        let services: [any Service]
        var webURL = ""
        do {
            nats = try await NATSConnection.connect(NATSConnectOptions(url: servers.natsURL, name: "almanac-dev"), logger: Logger(label: "almanac.nats"))
            try await AlmanacStreams.ensure(on: nats.jetStream)
            try await DatabaseMigrations.apply(connectionString: servers.connectionString(database: "almanac"), logger: logger)
            await FlowsCommand.installStarterFlows(jetStream: nats.jetStream, logger: logger)
            let booking = try BookingServices.commandServer(connection: nats, logger: Logger(label: "almanac.booking"))
            let projections = try AlmanacProjections.catalog().projections
            let pool = PostgresPool(PostgresConfiguration(conninfo: servers.connectionString(database: "almanac"), applicationName: "almanac-dev"),
                                    size: projections.count + 8, logger: logger)
            let projectors = projections.map {
                Projector(projection: $0, pool: pool, jetStream: nats.jetStream, instance: "dev", logger: Logger(label: "almanac.projector"))
            }
            // Listed in start order; the group stops them in reverse: projectors and the handler
            // first, then the connections, the servers last.
            var web = BookingWebSettings()
            web.port = LoopbackPort.isFree(webPort) ? webPort : try LoopbackPort.free()
            web.natsURL = servers.natsURL
            web.databaseURL = servers.connectionString(database: "almanac")
            web.devIssuer = true
            web.devIssuerKeyFolder = URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent("issuer").path
            let bookingWeb = try await BookingWebServer.makeApplication(web, nats: nats, pool: pool, logger: Logger(label: "almanac.booking-web"))
            webURL = "http://\(web.host):\(web.port)"
            // Step jobs (mail into the outbox unless ALMANAC_MAIL_TRANSPORT says otherwise).
            let runtimeLogger = Logger(label: "almanac.flow-runtime")
            let mail = try MailTransportConfiguration.fromEnvironment(defaultKind: .outbox).makeTransport(pool: pool, logger: runtimeLogger)
            let flowRuntime = FlowRuntimeCommand.makeRuntime(connection: nats, mail: mail, http: try HTTPClient(logger: runtimeLogger),
                                                             settings: FlowRuntimeConfiguration(), logger: runtimeLogger)
            // Triggers and timers of the flows (starter flows installed above).
            var control = FlowControlConfiguration()
            control.installationURL = webURL
            let flowControl = FlowControl(jetStream: nats.jetStream, configuration: control, logger: Logger(label: "almanac.flow-control"))
            services = [LocalServersService(servers: servers), PoolService(pool: pool), ConnectionService(connection: nats), booking]
                + projectors + [bookingWeb, flowRuntime, flowControl]
        } catch {
            await servers.stop()
            throw error
        }
        // Seeds the demo catalog through the command handler like any admin change, once the
        // services run; stable idempotency keys make a second start append nothing.
        // The handler subscribed when it was made; after a flush the server routes to it.
        try await nats.flush()
        let seeding = Task {
            do {
                let seeded = try await DemoSeed.run(connection: nats, logger: logger)
                logger.info("demo catalog ready", metadata: ["applied": "\(seeded.applied)", "already there": "\(seeded.duplicates)"])
            } catch {
                logger.error("demo seed failed: \(error)")
            }
        }
        defer { seeding.cancel() }
        // Unbuffered: when output goes to a file or pipe (tools/run | tee), the banner must
        // appear now, not when the process exits.
        FileHandle.standardOutput.write(Data((DevBanner.text(servers: servers, webURL: webURL) + "\n").utf8))
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

enum DevBanner {
    static func text(servers: LocalServers, webURL: String) -> String {
        let width = DemoPerson.all.map(\.name.count).max() ?? 0
        let people = DemoPerson.all.map { "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.roles.map(\.rawValue).sorted().joined(separator: ", "))" }
        return """

        Almanac is running (almanac dev). Stop with Ctrl-C.

        Booking    \(webURL)/            (sign in at \(webURL)/login: pick a demo person)
        API        \(webURL)/api         (OpenAPI: schemas/openapi/booking.yaml)

        Demo people:
        \(people.joined(separator: "\n"))

        \(servers.summary)
        Database   \(servers.connectionString(database: "almanac"))

        Operator tools (another terminal):
          ALMANAC_NATS_URL=\(servers.natsURL) almanac streams
          ALMANAC_NATS_URL=\(servers.natsURL) almanac tail 'bookings.>'

        """
    }
}

/// The local servers as a service: listed first, so they stop last.
struct LocalServersService: Service {
    let servers: LocalServers

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await servers.run() }
    }
}

/// Holds a NATS connection open for the life of the group and closes it at shutdown, after
/// the services listed after it have finished.
struct ConnectionService: Service {
    let connection: NATSConnection

    func run() async throws {
        try? await gracefulShutdown()
        connection.close()
    }
}

/// Closes a PostgreSQL pool at shutdown, after the services listed after it have finished.
struct PoolService: Service {
    let pool: PostgresPool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}
