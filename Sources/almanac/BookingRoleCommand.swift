import AlmanacEvents
import ArgumentParser
import BookingService
import EventStore
import Logging
import NATSClient
import ServiceLifecycle
import UnixSignals

/// `almanac booking`: the booking command handler, one replica of many.
struct BookingRoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking",
        abstract: "Answer booking commands (cmd.booking.*) as one replica of the booking command handler.",
        discussion: "Replicas share the work through a NATS queue group; optimistic concurrency on each aggregate's subject keeps them correct.")

    @Option(name: .customLong("max-concurrent"), help: "Commands handled at once by this replica.")
    var maxConcurrent = 64

    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try logging.bootstrap()
        let logger = Logger(label: "almanac.booking")
        let connection = try await nats.connect(name: "almanac-booking")
        try await AlmanacStreams.ensure(on: connection.jetStream)
        let server = try BookingServices.commandServer(connection: connection, maxConcurrent: maxConcurrent, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: ConnectionService(connection: connection)), .init(service: server)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// How the booking role is assembled, shared by `almanac booking` and `almanac dev`.
enum BookingServices {
    static func commandServer(connection: NATSConnection, maxConcurrent: Int = 64, logger: Logger) throws -> some Service {
        let store = EventStore(jetStream: connection.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        return try BookingCommandServer.make(connection: connection, handler: BookingCommandHandler(store: store, logger: logger),
                                             maxConcurrent: maxConcurrent, logger: logger)
    }
}
