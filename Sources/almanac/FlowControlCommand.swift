import ArgumentParser
import FlowControl
import Foundation
import Logging
import NATSClient
import ServiceLifecycle
import UnixSignals

/// `almanac flow-control`: starts runs from booking events, booking times and cron schedules,
/// and hands each step to the runtime or to a timer, until SIGTERM/SIGINT (then finishes the
/// messages in hand). Any number of replicas may run side by side.
struct FlowControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-control",
        abstract: "Start flow runs from triggers and schedule their steps (BOOKINGS, FLOWS, RUNS, SCHEDULES).",
        discussion: """
        Reads the published flows from FLOWS, follows booking events (durable consumer on BOOKINGS), starts each run once \
        per flow version and trigger, hands runtime steps to WORK and turns waits, approval deadlines, booking-relative \
        and cron triggers into JetStream message schedules in SCHEDULES.
        """)

    @Option(name: .customLong("ack-wait"), help: "Seconds before a stopped replica's message goes to another one.")
    var ackWaitSeconds = 30

    @Option(name: .customLong("installation-name"), help: "{{installation.name}} in flows. Env: ALMANAC_INSTALLATION_NAME.")
    var installationName = ProcessInfo.processInfo.environment["ALMANAC_INSTALLATION_NAME"] ?? "Almanac"

    @Option(name: .customLong("installation-url"), help: "{{installation.url}} in flows (links in mail). Env: ALMANAC_INSTALLATION_URL.")
    var installationURL = ProcessInfo.processInfo.environment["ALMANAC_INSTALLATION_URL"] ?? "http://localhost:8080"

    @OptionGroup var nats: NATSOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...3600).contains(ackWaitSeconds) else { throw ValidationError("--ack-wait must be 1 to 3600 seconds, got \(ackWaitSeconds)") }
        guard let url = URL(string: installationURL), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--installation-url must be an http(s) URL, got \(installationURL.debugDescription)")
        }
    }

    func run() async throws {
        try logging.bootstrap()
        let logger = Logger(label: "almanac.flow-control")
        let connection = try await nats.connect(name: "almanac-flow-control")
        defer { connection.close() }
        var settings = FlowControlConfiguration()
        settings.ackWait = .seconds(ackWaitSeconds)
        settings.installationName = installationName
        settings.installationURL = installationURL
        let control = FlowControl(jetStream: connection.jetStream, configuration: settings, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: control)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
