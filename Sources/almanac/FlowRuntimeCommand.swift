import ArgumentParser
import BookingService
import CommandBus
import FlowRuntime
import Foundation
import HTTPClient
import Logging
import Mail
import NATSClient
import PostgresClient
import ServiceLifecycle
import UnixSignals

/// `almanac flow-runtime`: executes step jobs from WORK until SIGTERM/SIGINT (then finishes the
/// jobs in hand). The mail transport comes from ALMANAC_MAIL_* (default: the outbox in the
/// database); `{{secrets.<name>}}` in HTTP steps come from ALMANAC_FLOW_SECRET_<NAME>.
struct FlowRuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-runtime",
        abstract: "Run flow steps (mail, HTTP, booking commands, events) from the WORK stream.",
        discussion: """
        Mail: ALMANAC_MAIL_TRANSPORT = graph | smtp | outbox (default outbox, stored in the database), see the Mail settings.
        Secrets for HTTP steps: ALMANAC_FLOW_SECRET_<NAME> is {{secrets.<name>}}; redacted in traces.
        """)

    @Option(help: "Jobs in hand at once (one fetch serves them all).")
    var concurrency = 16

    @Option(name: .customLong("ack-wait"), help: "Seconds before a dead runtime's job goes to another replica.")
    var ackWaitSeconds = 30

    @Option(name: .customLong("max-deliver"), help: "Deliveries of one job before it is dead-lettered.")
    var maxDeliver = 10

    @Option(name: .customLong("default-sender"), help: "Sender of mail steps without 'from'. Env: ALMANAC_MAIL_DEFAULT_SENDER.")
    var defaultSender = ProcessInfo.processInfo.environment["ALMANAC_MAIL_DEFAULT_SENDER"] ?? "noreply@almanac.local"

    @OptionGroup var nats: NATSOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256, got \(concurrency)") }
        guard (1...3600).contains(ackWaitSeconds) else { throw ValidationError("--ack-wait must be 1 to 3600 seconds, got \(ackWaitSeconds)") }
        guard (2...100).contains(maxDeliver) else { throw ValidationError("--max-deliver must be 2 to 100, got \(maxDeliver)") }
    }

    func run() async throws {
        try logging.bootstrap()
        let logger = Logger(label: "almanac.flow-runtime")
        let mailConfiguration = try MailTransportConfiguration.fromEnvironment(defaultKind: .outbox)
        var pool: PostgresPool?
        if mailConfiguration.kind == .outbox {
            try await DatabaseMigrations.apply(connectionString: database.url, logger: logger)
            pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-flow-runtime"), size: 2, logger: logger)
        }
        let mail = try mailConfiguration.makeTransport(pool: pool, logger: logger)
        let http = try HTTPClient(logger: logger)
        let connection = try await nats.connect(name: "almanac-flow-runtime")
        defer { connection.close() }

        var settings = FlowRuntimeConfiguration()
        settings.concurrency = concurrency
        settings.ackWait = .seconds(ackWaitSeconds)
        settings.maxDeliver = maxDeliver
        settings.defaultSender = defaultSender
        let runtime = Self.makeRuntime(connection: connection, mail: mail, http: http, settings: settings, logger: logger)
        logger.info("flow runtime starting, mail through \(mailConfiguration.kind.rawValue)")
        let group = ServiceGroup(configuration: .init(services: [.init(service: runtime)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await http.shutdown()
        await pool?.close()
    }
}

extension FlowRuntimeCommand {
    /// The runtime with its step executors, as `flow-runtime` and `dev` run it.
    static func makeRuntime(connection: NATSConnection, mail: any MailTransport, http: HTTPClient, settings: FlowRuntimeConfiguration,
                            logger: Logger) -> FlowRuntime {
        let executors = StepExecutors(
            sendEmail: SendEmailExecutor(transport: mail, defaultSender: settings.defaultSender),
            httpRequest: HTTPRequestExecutor(client: http),
            bookingCommand: BookingCommandExecutor(client: CommandClient(connection: connection, prefix: BookingCommandCodec.prefix), actor: settings.actor),
            publishEvent: PublishEventExecutor(jetStream: connection.jetStream))
        return FlowRuntime(jetStream: connection.jetStream, executors: executors, secrets: FlowSecrets.fromEnvironment(),
                           configuration: settings, logger: logger)
    }
}
