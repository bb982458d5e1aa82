import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowControl
import FlowDesigner
import FlowWork
import Flows
import Foundation
import LocalServers
import NATSClient
import PostgresClient
import Testing
import TestSupport

extension FlowControlSuites {
    /// End to end with real processes: `almanac booking`, `almanac flow-control` and
    /// `almanac flow-runtime` (outbox transport) against a private nats-server and a fresh database.
    @Suite("almanac flow-control with booking and runtime processes", .timeLimit(.minutes(4)))
    struct FlowProcessesTests {
        @Test func givenTheThreeRoles_whenBookingsArePlaced_thenTheBookerIsMailed_andAMailWithoutAnAddressEndsInDeadLetterWithItsReason() async throws {
            let environment = try await TestServers.shared()
            let database = try await environment.makeDatabase(prefix: "flowprocesses")
            let folder = try environment.makeDirectory(prefix: "flow-processes")
            let server = try await environment.startPrivateNATS()
            var children: [ChildProcess] = []
            do {
                let nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "flow-processes-test"))
                defer { nats.close() }
                try await AlmanacStreams.ensure(on: nats.jetStream)
                let designer = FlowDesigner(jetStream: nats.jetStream)
                _ = try await designer.saveDraft(try FlowControlHarness.starterFlow("booking-confirmation"), by: "edith@almanac.example")
                _ = try await designer.publish("booking-confirmation", by: "edith@almanac.example")

                let common: [String: String?] = ["ALMANAC_NATS_URL": server.url, "ALMANAC_DATABASE_URL": database, "ALMANAC_MAIL_TRANSPORT": "outbox",
                                                 "ALMANAC_SCHEMAS": FlowControlHarness.repositoryRoot.appendingPathComponent("schemas").path]
                for (name, arguments) in [("booking", ["booking"]), ("flow-control", ["flow-control", "--installation-url", "https://almanac.test"]),
                                          ("flow-runtime", ["flow-runtime", "--ack-wait", "2", "--concurrency", "2"])] {
                    children.append(try await BuiltProducts.spawn("almanac", arguments, environment: common,
                                                                  logFile: folder.appendingPathComponent("\(name).log")))
                }
                let client = CommandClient(connection: nats, prefix: BookingCommandCodec.prefix)
                func send(_ command: BookingCommand, as actor: String, roles: [String]) async throws -> CommandReply {
                    let (name, body) = try BookingCommandCodec.encode(command)
                    return try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: actor, actorRoles: roles, body: body))
                }
                // The handler answers once it has subscribed; flow-control follows bookings once
                // its consumer exists (it starts at new events).
                try await waitUntil("the booking handler answers") {
                    (try? await send(DemoData.commands()[0], as: DemoData.administrator.personId, roles: ["admin"])) != nil
                }
                for command in DemoData.commands().prefix(12) {
                    let reply = try await send(command, as: DemoData.administrator.personId, roles: ["admin"])
                    guard case .accepted = reply else { throw HarnessError(description: "seeding failed: \(reply)") }
                }
                try await waitUntil("flow-control's booking consumer") {
                    (try? await nats.jetStream.consumerInfo(stream: AlmanacStreams.bookings, name: "flow-control-bookings")) != nil
                }
                try await waitUntil("flow-runtime's consumer") {
                    (try? await nats.jetStream.consumerInfo(stream: AlmanacStreams.work, name: "flow-runtime")) != nil
                }

                let start = FlowControlHarness.nextWednesday(hour: 10)
                let runs = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
                let placed = try await send(.place(PlaceBooking(idempotencyKey: "e2e-ada", bookingId: "e2e-ada", siteId: "zurich", resourceId: "zh-desk-001",
                                                                start: start, end: start.addingTimeInterval(7200), bookerTimeZone: "Europe/Zurich",
                                                                contact: BookingContact(name: "Ada Lovelace", email: "ada@almanac.example"))),
                                            as: "ada", roles: ["booker"])
                guard case .accepted = placed else { throw HarnessError(description: "place: \(placed)") }
                let completed = try await waitForRun(runs, "booking-confirmation") { $0.isFinished }
                #expect(completed.status == .completed)
                #expect(completed.data.value(at: ["booking", "bookingId"]) == "e2e-ada")

                let pool = PostgresPool(PostgresConfiguration(conninfo: database), size: 1)
                let rows = try await pool.query("select to_addresses::text, subject from mail.outbox")
                await pool.close()
                #expect(rows.count == 1)
                let (to, subject) = try rows[0].decode(String.self, String.self)
                #expect(to.contains("ada@almanac.example"))
                #expect(subject.hasPrefix("Booked: Desk 1 on "))

                // A booking without a contact: the address renders empty, the step fails without
                // retry, the run fails with the reason, and the job is dead-lettered with it.
                let anonymous = try await send(.place(PlaceBooking(idempotencyKey: "e2e-anon", bookingId: "e2e-anon", siteId: "zurich", resourceId: "zh-desk-002",
                                                                   start: start, end: start.addingTimeInterval(7200), bookerTimeZone: "Europe/Zurich")),
                                               as: "ben", roles: ["booker"])
                guard case .accepted = anonymous else { throw HarnessError(description: "place: \(anonymous)") }
                let failed = try await waitForRun(runs, "booking-confirmation") { $0.status == .failed }
                #expect(failed.data.value(at: ["booking", "bookingId"]) == "e2e-anon")
                #expect(failed.failureReason?.contains("no address") == true)
                try await waitUntil("the dead letter") {
                    try await nats.jetStream.lastMessage(stream: AlmanacStreams.work, subject: WorkSubjects.deadLetter(.sendEmail)) != nil
                }
                let dead = try #require(try await nats.jetStream.lastMessage(stream: AlmanacStreams.work, subject: WorkSubjects.deadLetter(.sendEmail)))
                #expect(try DeadStepJob.decode(dead.payload).reason == failed.failureReason)

                for (name, child) in zip(["booking", "flow-control", "flow-runtime"], children).reversed() {
                    let exit = await child.terminate(signal: SIGTERM, grace: .seconds(20))
                    let log = (try? String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
                    #expect(exit == .exited(code: 0), "\(name) stopped with \(exit): \(log.suffix(1500))")
                }
            } catch {
                for child in children { _ = await child.terminate(signal: SIGKILL, grace: .seconds(5)) }
                await server.stop()
                throw error
            }
            await server.stop()
        }

        @Test func givenARunWaitingOnATimer_whenFlowControlIsKilledAndTheTimerFiresWhileNoneRuns_thenTheNextFlowControlFinishesTheRun() async throws {
            let environment = try await TestServers.shared()
            let database = try await environment.makeDatabase(prefix: "flowkill")
            let folder = try environment.makeDirectory(prefix: "flow-kill")
            let server = try await environment.startPrivateNATS()
            var children: [ChildProcess] = []
            do {
                let nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "flow-kill-test"))
                defer { nats.close() }
                try await AlmanacStreams.ensure(on: nats.jetStream)
                let flow = FlowDefinition(id: "pause-then-confirm", name: "Pause, then confirm", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])),
                                          steps: [FlowStep(id: "pause", action: .wait(WaitStep(duration: "3s"))),
                                                  FlowStep(id: "confirm", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Booked {{resource.name}}", body: "Yes")))])
                let designer = FlowDesigner(jetStream: nats.jetStream)
                _ = try await designer.saveDraft(flow, by: "edith@almanac.example")
                _ = try await designer.publish(flow.id, by: "edith@almanac.example")

                let common: [String: String?] = ["ALMANAC_NATS_URL": server.url, "ALMANAC_DATABASE_URL": database, "ALMANAC_MAIL_TRANSPORT": "outbox",
                                                 "ALMANAC_SCHEMAS": FlowControlHarness.repositoryRoot.appendingPathComponent("schemas").path]
                func spawn(_ name: String, _ arguments: [String]) async throws -> ChildProcess {
                    try await BuiltProducts.spawn("almanac", arguments, environment: common, logFile: folder.appendingPathComponent("\(name).log"))
                }
                children.append(try await spawn("booking", ["booking"]))
                children.append(try await spawn("flow-runtime", ["flow-runtime", "--ack-wait", "2"]))
                let firstControl = try await spawn("flow-control-1", ["flow-control", "--ack-wait", "2"])
                children.append(firstControl)
                let client = CommandClient(connection: nats, prefix: BookingCommandCodec.prefix)
                func send(_ command: BookingCommand, as actor: String, roles: [String]) async throws -> CommandReply {
                    let (name, body) = try BookingCommandCodec.encode(command)
                    return try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: actor, actorRoles: roles, body: body))
                }
                try await waitUntil("the booking handler answers") {
                    (try? await send(DemoData.commands()[0], as: DemoData.administrator.personId, roles: ["admin"])) != nil
                }
                for command in DemoData.commands().prefix(12) {
                    _ = try await send(command, as: DemoData.administrator.personId, roles: ["admin"])
                }
                try await waitUntil("flow-control's booking consumer") {
                    (try? await nats.jetStream.consumerInfo(stream: AlmanacStreams.bookings, name: "flow-control-bookings")) != nil
                }
                let runs = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
                let start = FlowControlHarness.nextWednesday(hour: 10)
                let placed = try await send(.place(PlaceBooking(idempotencyKey: "kill-ada", bookingId: "kill-ada", siteId: "zurich", resourceId: "zh-desk-001",
                                                                start: start, end: start.addingTimeInterval(7200), bookerTimeZone: "Europe/Zurich",
                                                                contact: BookingContact(name: "Ada Lovelace", email: "ada@almanac.example"))),
                                            as: "ada", roles: ["booker"])
                guard case .accepted = placed else { throw HarnessError(description: "place: \(placed)") }
                let waiting = try await waitForRun(runs, flow.id) { $0.currentStepId == "pause" && $0.steps["pause"]?.status == .scheduled }
                let timer = TimerSubjects.step(flowId: flow.id, runId: waiting.runId, stepId: "pause")
                try await waitUntil("the wait's timer set") {
                    let pending = try await nats.jetStream.lastMessage(stream: AlmanacStreams.schedules, subject: timer) != nil
                    let fired = try await nats.jetStream.lastMessage(stream: AlmanacStreams.schedules, subject: "schedules.fired.step") != nil
                    return pending || fired
                }
                // The wait's timer is set; flow-control dies before it fires.
                #expect(firstControl.signal(SIGKILL))
                #expect(try await firstControl.waitForExit() == .signalled(signal: SIGKILL))
                children.removeAll { $0 === firstControl }
                // The timer fires into SCHEDULES with no flow-control running; the next one takes it
                // from the durable consumer and the run goes on.
                try await waitUntil("the wait's timer fired", timeout: .seconds(30)) {
                    try await nats.jetStream.lastMessage(stream: AlmanacStreams.schedules, subject: "schedules.fired.step") != nil
                }
                children.append(try await spawn("flow-control-2", ["flow-control", "--ack-wait", "2"]))
                let state = try await waitForRun(runs, flow.id) { $0.isFinished }
                #expect(state.status == .completed)
                let recorded = try await runs.read(subject: WorkSubjects.run(flowId: flow.id, runId: state.runId)).compactMap { RunEvent(payload: $0.event) }
                let successes = recorded.compactMap { if case .stepSucceeded(let event) = $0 { event.stepId } else { nil } }
                #expect(successes == ["pause", "confirm"])
                for child in children.reversed() {
                    #expect(await child.terminate(signal: SIGTERM, grace: .seconds(20)) == .exited(code: 0))
                }
            } catch {
                for child in children { _ = await child.terminate(signal: SIGKILL, grace: .seconds(5)) }
                await server.stop()
                throw error
            }
            await server.stop()
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

        /// Follows the flow's runs until one reaches `condition`.
        func waitForRun(_ runs: EventStore, _ flowId: String, timeout: Duration = .seconds(60),
                        until condition: @escaping @Sendable (RunState) -> Bool) async throws -> RunState {
            try await waitForRunState(in: runs, of: flowId, timeout: timeout, until: condition).state
        }
    }
}

