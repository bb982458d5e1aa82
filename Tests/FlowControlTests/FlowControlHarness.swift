import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowControl
import FlowDesigner
import FlowRuntime
import FlowWork
import Flows
import Foundation
import Mail
import NATSClient
import PostgresClient
import Synchronization
import Testing
import TestSupport

/// The booking domain's clock in these tests: a fixed Wednesday morning plus whatever the test
/// moves it by, so bookings are "in the future" for the domain whenever the tests run, while
/// flow-control and the timers work in real time.
final class DomainClock: Sendable {
    let origin: Date
    private let offset = Mutex<TimeInterval>(0)

    init(origin: Date) { self.origin = origin }

    var now: Date { origin.addingTimeInterval(offset.withLock { $0 }) }
    func set(_ date: Date) { offset.withLock { $0 = date.timeIntervalSince(origin) } }
}

/// A private nats-server with the streams, a migrated database (the mail outbox), a booking
/// command handler answering `cmd.booking.*` in this process, the Zürich demo site, and
/// flow-control and flow-runtime started on demand.
struct FlowControlHarness {
    let server: LocalNATSServer
    let nats: NATSConnection
    let pool: PostgresPool
    let bookings: EventStore
    let runs: EventStore
    let clock: DomainClock
    let client: CommandClient

    var jetStream: JetStream { nats.jetStream }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// 10:00 Zürich time on the next Wednesday at least two days ahead.
    static func nextWednesday(hour: Int, minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(2 * 86_400))
        while calendar.component(.weekday, from: day) != 4 { day = calendar.date(byAdding: .day, value: 1, to: day)! }
        return calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day)!
    }

    static func with(_ body: (FlowControlHarness) async throws -> Void) async throws {
        let conninfo = try await TestServers.shared().makeDatabase(prefix: "flowcontrol")
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 2)
        let server = try await TestServers.shared().startPrivateNATS()
        let nats: NATSConnection
        do {
            try await Migrator(directory: repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
            nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "flow-control-test"))
        } catch {
            await server.stop()
            await pool.close()
            throw error
        }
        let clock = DomainClock(origin: nextWednesday(hour: 9))
        var commandServer: Task<Void, any Error>?
        do {
            try await AlmanacStreams.ensure(on: nats.jetStream)
            let bookings = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let runs = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
            let handler = BookingCommandHandler(store: bookings, now: { clock.now })
            // The Zürich site, its building, first floor and first desks.
            for command in DemoData.commands().prefix(12) {
                let reply = await handler.handle(command, actor: DemoData.administrator)
                guard case .accepted = reply else { throw HarnessError(description: "seeding failed: \(reply)") }
            }
            let answering = try BookingCommandServer.make(connection: nats, handler: handler)
            commandServer = Task { try await answering.run() }
            let harness = FlowControlHarness(server: server, nats: nats, pool: pool, bookings: bookings, runs: runs, clock: clock,
                                             client: CommandClient(connection: nats, prefix: BookingCommandCodec.prefix))
            try await body(harness)
        } catch {
            commandServer?.cancel()
            nats.close()
            await server.stop()
            await pool.close()
            throw error
        }
        commandServer?.cancel()
        nats.close()
        await server.stop()
        await pool.close()
    }

    // MARK: Flows

    /// A starter flow from `deploy/flows`.
    static func starterFlow(_ name: String) throws -> FlowDefinition {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/flows/\(name).yaml"), encoding: .utf8)
        return try FlowDesigner.definition(parsing: text)
    }

    @discardableResult
    func publish(_ flow: FlowDefinition) async throws -> Int {
        let designer = FlowDesigner(jetStream: jetStream)
        _ = try await designer.saveDraft(flow, by: "edith@almanac.example")
        let change = try await designer.publish(flow.id, by: "edith@almanac.example")
        return try #require(change.publishedVersion)
    }

    /// Publishes with flow-control running and waits until its index has the version live.
    func publishLive(_ flow: FlowDefinition, on control: FlowControl) async throws {
        let version = try await publish(flow)
        try await waitUntil("flow \(flow.id) v\(version) live") { await control.flows.live(flow.id)?.version == version }
    }

    // MARK: Services

    static var fastControl: FlowControlConfiguration {
        var configuration = FlowControlConfiguration()
        configuration.ackWait = .seconds(5)
        configuration.fetchWait = .milliseconds(250)
        configuration.installationURL = "https://almanac.test"
        return configuration
    }

    static var fastRuntime: FlowRuntimeConfiguration {
        var configuration = FlowRuntimeConfiguration()
        configuration.ackWait = .seconds(3)
        configuration.fetchWait = .milliseconds(250)
        configuration.concurrency = 2
        return configuration
    }

    /// Flow-control (`replicas` of them, each with its own connection) and a runtime with the
    /// outbox transport and booking commands, for the duration of `body`.
    func withServices(replicas: Int = 1, separateConsumers: Bool = false, _ body: ([FlowControl]) async throws -> Void) async throws {
        var controls: [FlowControl] = []
        var connections: [NATSConnection] = []
        var tasks: [Task<Void, any Error>] = []
        defer {
            for task in tasks { task.cancel() }
        }
        for replica in 0..<replicas {
            let connection = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "flow-control-\(replica)"))
            connections.append(connection)
            var configuration = Self.fastControl
            if separateConsumers {
                configuration.bookingsConsumer += "-\(replica)"
                configuration.runsConsumer += "-\(replica)"
                configuration.timersConsumer += "-\(replica)"
            }
            let control = FlowControl(jetStream: connection.jetStream, configuration: configuration)
            // Consumers exist before anything happens that they must see.
            try await control.prepare()
            controls.append(control)
        }
        let executors = StepExecutors(sendEmail: SendEmailExecutor(transport: OutboxTransport(pool: pool), defaultSender: "noreply@almanac.test"),
                                      bookingCommand: BookingCommandExecutor(client: client, actor: "flow-runtime"))
        let runtime = FlowRuntime(jetStream: jetStream, executors: executors, configuration: Self.fastRuntime)
        try await runtime.prepare()
        for control in controls { tasks.append(Task { try await control.run() }) }
        tasks.append(Task { try await runtime.run() })
        do {
            try await body(controls)
        } catch {
            for task in tasks { task.cancel() }
            for task in tasks { _ = try? await task.value }
            for connection in connections { connection.close() }
            throw error
        }
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        for connection in connections { connection.close() }
    }

    // MARK: Bookings

    static let ada = (personId: "ada", name: "Ada Lovelace", email: "ada@almanac.example")

    /// Places a booking through the command bus, as booking-web does for a signed-in booker.
    func place(_ bookingId: String, resource: String = "zh-desk-001", start: Date, hours: Double = 2, person: String = ada.personId,
               contact: BookingContact? = BookingContact(name: ada.name, email: ada.email)) async throws {
        try await send(.place(PlaceBooking(idempotencyKey: "place-\(bookingId)", bookingId: bookingId, siteId: "zurich", resourceId: resource,
                                           start: start, end: start.addingTimeInterval(hours * 3600), bookerTimeZone: "Europe/Zurich",
                                           contact: contact)), as: person, roles: ["booker"])
    }

    func send(_ command: BookingCommand, as person: String, roles: [String]) async throws {
        let (name, body) = try BookingCommandCodec.encode(command)
        let reply = try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: person, actorRoles: roles, body: body))
        guard case .accepted = reply else { throw HarnessError(description: "\(name) was not accepted: \(reply)") }
    }

    // MARK: Runs

    func runEvents(_ subject: String) async throws -> [RunEvent] {
        try await runs.read(subject: subject).compactMap { RunEvent(payload: $0.event) }
    }

    /// Run subjects of a flow stored so far.
    func runSubjects(of flowId: String) async throws -> Set<String> {
        var subjects: Set<String> = []
        for try await batch in try await runs.subscribe(filter: "runs.\(flowId).*", from: 1, mode: .untilCaughtUp) {
            for event in batch { subjects.insert(event.subject) }
        }
        return subjects
    }

    /// Follows RUNS until a run of `flowId` reaches `condition` (or fails after `timeout`).
    func waitForRun(of flowId: String, timeout: Duration = .seconds(60), until condition: @escaping @Sendable (RunState) -> Bool) async throws -> (subject: String, state: RunState) {
        try await waitForRunState(in: runs, of: flowId, timeout: timeout, until: condition)
    }

    /// Waits until `condition` holds, checking it every 100 ms (for state without notifications).
    func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(description: "\(what) did not happen within \(timeout)")
    }

    func outbox() async throws -> [(to: String, subject: String, runId: String)] {
        let rows = try await pool.query("select to_addresses::text, subject, coalesce(run_id, '') from mail.outbox order by id")
        return try rows.map { row in
            let (to, subject, runId) = try row.decode(String.self, String.self, String.self)
            return (to, subject, runId)
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

extension RunEvent {
    var typeName: String {
        switch self {
        case .started: "started"
        case .stepScheduled: "step_scheduled"
        case .stepStarted: "step_started"
        case .stepSucceeded: "step_succeeded"
        case .stepFailed: "step_failed"
        case .stepRetryScheduled: "step_retry_scheduled"
        case .approvalRequested: "approval_requested"
        case .approvalDecided: "approval_decided"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .retried: "retried"
        }
    }
}

/// Follows RUNS until a run of `flowId` reaches `condition` (folding each run's events), or
/// fails after `timeout`: the subject and state of that run. Every flow-control test waits so.
func waitForRunState(in runs: EventStore, of flowId: String, timeout: Duration,
                     until condition: @escaping @Sendable (RunState) -> Bool) async throws -> (subject: String, state: RunState) {
        let subscription = try await runs.subscribe(filter: "runs.\(flowId).*", from: 1, mode: .live)
        defer { subscription.stop() }
        return try await withThrowingTaskGroup(of: (String, RunState)?.self) { group in
            group.addTask {
                var states: [String: RunState] = [:]
                for try await batch in subscription {
                    for recorded in batch {
                        guard let event = RunEvent(payload: recorded.event) else { continue }
                        let state = RunState.evolve(states[recorded.subject] ?? RunState(), event)
                        states[recorded.subject] = state
                        if condition(state) { return (recorded.subject, state) }
                    }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            subscription.stop()
            guard let (subject, state) = first else { throw HarnessError(description: "no run of \(flowId) reached the expected state within \(timeout)") }
            return (subject, state)
        }
}
