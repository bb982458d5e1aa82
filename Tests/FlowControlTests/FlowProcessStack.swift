import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowDesigner
import FlowWork
import Flows
import Foundation
import LocalServers
import NATSClient
import Testing
import TestSupport

/// The three roles as real processes — `almanac booking`, `almanac flow-control` and
/// `almanac flow-runtime` — against a private nats-server and a fresh database, with the Zürich
/// demo site seeded and the given flows published: what the end-to-end acceptance tests run on.
/// The runtime is started (and killed, and started again) by the test itself.
final class FlowProcessStack {
    let server: LocalNATSServer
    let nats: NATSConnection
    let runs: EventStore
    let folder: URL
    let environment: [String: String?]
    private(set) var children: [(name: String, process: ChildProcess)] = []
    private let client: CommandClient

    private init(server: LocalNATSServer, nats: NATSConnection, folder: URL, environment: [String: String?]) {
        self.server = server
        self.nats = nats
        self.folder = folder
        self.environment = environment
        self.runs = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
        self.client = CommandClient(connection: nats, prefix: BookingCommandCodec.prefix)
    }

    /// Runs `body` with the stack (booking and flow-control running, the flows published), and
    /// stops every process and the server on every way out. `runtimeEnvironment` is added to the
    /// environment of the runtimes `startRuntime` spawns (e.g. the mail transport).
    static func with(_ name: String, flows: [FlowDefinition], runtimeEnvironment: [String: String] = [:],
                     _ body: (FlowProcessStack) async throws -> Void) async throws {
        let servers = try await TestServers.shared()
        let database = try await servers.makeDatabase(prefix: name.replacingOccurrences(of: "-", with: ""))
        let folder = try servers.makeDirectory(prefix: name)
        let server = try await servers.startPrivateNATS()
        var environment: [String: String?] = ["ALMANAC_NATS_URL": server.url, "ALMANAC_DATABASE_URL": database, "ALMANAC_MAIL_TRANSPORT": "outbox",
                                              "ALMANAC_SCHEMAS": FlowControlHarness.repositoryRoot.appendingPathComponent("schemas").path]
        for (key, value) in runtimeEnvironment { environment[key] = value }
        let stack: FlowProcessStack
        do {
            let nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "\(name)-test"))
            stack = FlowProcessStack(server: server, nats: nats, folder: folder, environment: environment)
        } catch {
            await server.stop()
            throw error
        }
        do {
            try await stack.prepare(flows)
            try await body(stack)
            for (name, child) in stack.children.reversed() {
                let exit = await child.terminate(signal: SIGTERM, grace: .seconds(20))
                #expect(exit == .exited(code: 0), "\(name) stopped with \(exit): \(stack.log(name).suffix(1500))")
            }
        } catch {
            for (_, child) in stack.children { _ = await child.terminate(signal: SIGKILL, grace: .seconds(5)) }
            stack.nats.close()
            await server.stop()
            throw error
        }
        stack.nats.close()
        await server.stop()
    }

    private func prepare(_ flows: [FlowDefinition]) async throws {
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let designer = FlowDesigner(jetStream: nats.jetStream)
        for flow in flows {
            _ = try await designer.saveDraft(flow, by: "edith@almanac.example")
            _ = try await designer.publish(flow.id, by: "edith@almanac.example")
        }
        children.append(("booking", try await spawn("booking", ["booking"])))
        children.append(("flow-control", try await spawn("flow-control", ["flow-control", "--ack-wait", "2", "--installation-url", "https://almanac.test"])))
        // The handler answers once it has subscribed; flow-control follows bookings once its
        // consumer exists (it starts at new events).
        try await waitUntil("the booking handler answers") {
            (try? await self.send(DemoData.commands()[0], as: DemoData.administrator.personId, roles: ["admin"])) != nil
        }
        for command in DemoData.commands().prefix(12) {
            let reply = try await send(command, as: DemoData.administrator.personId, roles: ["admin"])
            guard case .accepted = reply else { throw HarnessError(description: "seeding failed: \(reply)") }
        }
        try await waitUntil("flow-control's booking consumer") {
            (try? await self.nats.jetStream.consumerInfo(stream: AlmanacStreams.bookings, name: "flow-control-bookings")) != nil
        }
    }

    func spawn(_ name: String, _ arguments: [String]) async throws -> ChildProcess {
        try await BuiltProducts.spawn("almanac", arguments, environment: environment, logFile: folder.appendingPathComponent("\(name).log"))
    }

    /// Starts `almanac flow-runtime` (ack wait 2 s, so a killed runtime's job comes back soon)
    /// and waits until its consumer exists.
    @discardableResult
    func startRuntime(_ name: String) async throws -> ChildProcess {
        let runtime = try await spawn(name, ["flow-runtime", "--ack-wait", "2", "--concurrency", "2"])
        children.append((name, runtime))
        try await waitUntil("flow-runtime's consumer") {
            (try? await self.nats.jetStream.consumerInfo(stream: AlmanacStreams.work, name: "flow-runtime")) != nil
        }
        return runtime
    }

    /// SIGKILL, then forgets the process (it is not stopped again at the end).
    func kill(_ runtime: ChildProcess) async throws {
        #expect(runtime.signal(SIGKILL))
        #expect(try await runtime.waitForExit() == .signalled(signal: SIGKILL))
        children.removeAll { $0.process === runtime }
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    func send(_ command: BookingCommand, as actor: String, roles: [String]) async throws -> CommandReply {
        let (name, body) = try BookingCommandCodec.encode(command)
        return try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: actor, actorRoles: roles, body: body))
    }

    /// Ada books a desk on the next Wednesday, with her contact (the confirmation's recipient).
    func placeBooking(_ bookingId: String, resource: String = "zh-desk-001") async throws {
        let start = FlowControlHarness.nextWednesday(hour: 10)
        let reply = try await send(.place(PlaceBooking(idempotencyKey: bookingId, bookingId: bookingId, siteId: "zurich", resourceId: resource,
                                                       start: start, end: start.addingTimeInterval(7200), bookerTimeZone: "Europe/Zurich",
                                                       contact: BookingContact(name: "Ada Lovelace", email: "ada@almanac.example"))),
                                   as: "ada", roles: ["booker"])
        guard case .accepted = reply else { throw HarnessError(description: "place \(bookingId): \(reply)") }
    }

    func runEvents(_ subject: String) async throws -> [RunEvent] {
        try await runs.read(subject: subject).compactMap { RunEvent(payload: $0.event) }
    }

    func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            // Process start-up has no notification to wait on; a short pause between checks.
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError(description: "\(what) did not happen within \(timeout)")
    }

    /// Follows the flow's runs until one reaches `condition`; its subject and state.
    func waitForRun(_ flowId: String, timeout: Duration = .seconds(90),
                    until condition: @escaping @Sendable (RunState) -> Bool) async throws -> (subject: String, state: RunState) {
        try await waitForRunState(in: runs, of: flowId, timeout: timeout, until: condition)
    }
}
