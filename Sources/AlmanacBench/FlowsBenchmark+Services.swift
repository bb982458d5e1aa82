import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowControl
import FlowRuntime
import Flows
import Foundation
import HTTPClient
import Mail
import NATSClient

extension FlowsBenchmark {
    /// What both phases run on: the booking handler answering `cmd.booking.*`, flow-control and
    /// a flow-runtime (SMTP to the sink, `publish_event` to `EVENTS`), all in this process.
    struct Services {
        let commands: CommandClient
        let control: FlowControl
        let desks: [ResourceID]
        let jetStream: JetStream
    }

    static let siteId = "bench-flows"
    static let zone = "Europe/Zurich"
    static let confirmationFlow = FlowDefinition(
        id: "bench-confirmation", name: "Booking confirmation (bench)", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])),
        steps: [FlowStep(id: "confirm", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Booked: {{resource.name}} on {{booking.startLocal}}",
                                                                        body: "Hello {{person.name}}, {{resource.name}} is booked for you.")))])
    static let threeStepFlow = FlowDefinition(
        id: "bench-three-steps", name: "Three events (bench)", trigger: .manual(ManualTrigger(label: "Go")),
        steps: ["one", "two", "three"].map { FlowStep(id: $0, action: .publishEvent(PublishEventStep(eventType: "bench-\($0)", data: ["step": $0]))) })

    /// Starts the services for `body` and stops them after it, on every way out.
    static func withServices<T>(connection: NATSConnection, sink: SMTPSink, _ body: (Services) async throws -> T) async throws -> T {
        let jetStream = connection.jetStream
        let bookings = EventStore(jetStream: jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        let handler = BookingCommandHandler(store: bookings)
        let desks = try await seed(handler)
        for flow in [confirmationFlow, threeStepFlow] { try await publish(flow, on: jetStream) }

        var controlSettings = FlowControlConfiguration()
        controlSettings.fetchWait = .milliseconds(100)
        controlSettings.batchSize = 128
        let control = FlowControl(jetStream: jetStream, configuration: controlSettings, logger: quietLogger)
        try await control.prepare()

        var runtimeSettings = FlowRuntimeConfiguration()
        runtimeSettings.fetchWait = .milliseconds(100)
        runtimeSettings.concurrency = runtimeConcurrency
        runtimeSettings.defaultSender = "noreply@almanac.bench"
        let http = try HTTPClient(logger: quietLogger)
        let smtp = SMTPTransport(configuration: SMTPConfiguration(url: URL(string: "smtp://127.0.0.1:\(sink.port)")!, requireTLS: false),
                                 client: http, logger: quietLogger)
        let executors = StepExecutors(sendEmail: SendEmailExecutor(transport: smtp, defaultSender: runtimeSettings.defaultSender),
                                      publishEvent: PublishEventExecutor(jetStream: jetStream))
        let runtime = FlowRuntime(jetStream: jetStream, executors: executors, configuration: runtimeSettings, logger: quietLogger)
        try await runtime.prepare()

        let server = try BookingCommandServer.make(connection: connection, handler: handler, logger: quietLogger)
        let tasks = [Task { try await server.run() }, Task { try await control.run() }, Task { try await runtime.run() }]
        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = await task.result }
            await http.shutdown()
        }
        do {
            let result = try await body(Services(commands: CommandClient(connection: connection, prefix: BookingCommandCodec.prefix),
                                                 control: control, desks: desks, jetStream: jetStream))
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// A site open every day 06:00–22:00 on a half-hour grid with no per-person limits, and ten
    /// desks, decided by the handler directly (no NATS round trip to measure here).
    static func seed(_ handler: BookingCommandHandler) async throws -> [ResourceID] {
        var sent = 0
        func send(_ command: BookingCommand) async throws {
            sent += 1
            let reply = await handler.handle(command, actor: DemoData.administrator)
            guard case .accepted = reply else { throw BenchError("seeding failed: \(reply)") }
        }
        func key() -> String { "bench-flows-seed-\(sent + 1)" }
        let hours = Weekday.allCases.map { OpeningInterval(weekday: $0, opens: TimeOfDay(hour: 6)!, closes: TimeOfDay(hour: 22)!) }
        let policy = BookingPolicy(slotGranularityMinutes: 30, minimumDurationMinutes: 30, maximumDurationMinutes: 600,
                                   minimumNoticeToBookMinutes: 0, maximumAdvanceDays: 365)
        try await send(.createSite(CreateSite(idempotencyKey: key(), siteId: siteId, name: "Bench Campus", country: "CH", timeZone: zone,
                                              openingHours: hours, policy: policy)))
        try await send(.addBuilding(AddBuilding(idempotencyKey: key(), siteId: siteId, buildingId: "bench-main", name: "Main")))
        try await send(.addFloor(AddFloor(idempotencyKey: key(), siteId: siteId, buildingId: "bench-main", floorId: "bench-main-1", name: "Floor 1", level: 1)))
        var desks: [ResourceID] = []
        for number in 1...10 {
            let id = "bench-flows-desk-\(number)"
            try await send(.addResource(AddResource(idempotencyKey: key(), siteId: siteId, resource: ResourceDefinition(
                resourceId: id, floorId: "bench-main-1", name: "Desk \(number)", kind: .desk))))
            desks.append(id)
        }
        return desks
    }
}
