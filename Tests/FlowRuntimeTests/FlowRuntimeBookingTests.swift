import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowRuntime
import FlowWork
import Flows
import Foundation
import NATSClient
import Testing

@Suite("Flow runtime: booking_command and publish_event", .timeLimit(.minutes(3)))
struct FlowRuntimeBookingTests {
    static let booker = Principal(personId: "flow-booker", roles: [.booker])

    /// The next Wednesday at `hour` in Zürich (the demo site is open then, and it is in the future).
    static func nextWednesday(at hour: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(2 * 86_400))
        while calendar.component(.weekday, from: day) != 4 { day = calendar.date(byAdding: .day, value: 1, to: day)! }
        return calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day)!
    }

    /// The demo catalog and one placed booking on zh-desk-001, and a booking service answering
    /// `cmd.booking.*` in process whose clock reads `handlerNow(start)`; the runtime sends
    /// booking commands to it.
    func withBookingService(handlerNow: @escaping @Sendable (Date) -> Date,
                            _ body: (RuntimeHarness, _ bookingId: String, _ start: Date) async throws -> Void) async throws {
        try await RuntimeHarness.with { harness in
            let bookings = EventStore(jetStream: harness.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let seeding = BookingCommandHandler(store: bookings)
            for command in DemoData.commands().prefix(12) {
                let reply = await seeding.handle(command, actor: DemoData.administrator)
                guard case .accepted = reply else { throw HarnessError(description: "seeding failed: \(reply)") }
            }
            let start = Self.nextWednesday(at: 9)
            let placed = await seeding.handle(.place(PlaceBooking(idempotencyKey: "place-ns", bookingId: "bk-ns", siteId: "zurich", resourceId: "zh-desk-001",
                                                                  start: start, end: start + 3600, bookerTimeZone: "Europe/Zurich")), actor: Self.booker)
            guard case .accepted = placed else { throw HarnessError(description: "placing failed: \(placed)") }

            let handler = BookingCommandHandler(store: bookings, now: { handlerNow(start) })
            let server = try BookingCommandServer.make(connection: harness.nats, handler: handler)
            let serving = Task { try await server.run() }
            defer { serving.cancel() }
            let executor = BookingCommandExecutor(client: CommandClient(connection: harness.nats, prefix: BookingCommandCodec.prefix), actor: "flow-runtime")
            try await harness.withRuntime(StepExecutors(bookingCommand: executor)) {
                try await body(harness, "bk-ns", start)
            }
        }
    }

    static let release = FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow)),
                                  timeout: "10s", retry: RetryPolicy(attempts: 3, initialDelay: "1s", jitter: 0))
    static let data: FlowValue = ["booking": ["bookingId": "bk-ns", "resourceId": "zh-desk-001"]]

    @Test func givenANoShowAfterCheckInClosed_whenTheReleaseStepRuns_thenTheBookingIsReleasedAndTheStepSucceeds() async throws {
        try await withBookingService(handlerNow: { $0 + 3600 }) { harness, bookingId, _ in
            let job = try await harness.startRun(RuntimeHarness.flow("release-no-show", Self.release), data: Self.data)
            let state = try await harness.waitForRun(job) { $0.isFinished }
            #expect(state.status == .completed)
            let events = try await harness.events(of: job)
            let success = try #require(events.succeeded.first)
            #expect(events.succeeded.count == 1 && events.failed.isEmpty)
            #expect(success.output.value(at: ["outcome"]) == "accepted")
            #expect(success.output.value(at: ["duplicate"]) == false)
            #expect(events.started.first?.inputs == ["command": "release_no_show", "bookingId": "bk-ns", "resourceId": "zh-desk-001"])

            let bookings = EventStore(jetStream: harness.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let last = try #require(try await bookings.lastEvent(subject: "bookings.resource.zh-desk-001"))
            let released = try #require(last.event as? BookingReleasedAsNoShow)
            #expect(released.bookingId == bookingId)
            #expect(released.releasedBy == "flow-runtime")
            #expect(last.envelope.correlationId == job.runId)
        }
    }

    @Test func givenCheckInStillOpen_whenTheReleaseStepRuns_thenTheRejectionFailsTheStepWithoutRetryWithItsCodeAndMessage() async throws {
        try await withBookingService(handlerNow: { $0 + 60 }) { harness, _, _ in
            let job = try await harness.startRun(RuntimeHarness.flow("release-too-early", Self.release), data: Self.data)
            let state = try await harness.waitForRun(job) { $0.isFinished }
            #expect(state.status == .failed)
            let events = try await harness.events(of: job)
            let failure = try #require(events.failed.first)
            #expect(events.failed.count == 1)
            #expect(!failure.willRetry)
            #expect(failure.error.kind == .rejected)
            #expect(failure.error.message.contains("check_in_still_open"))
            #expect(failure.error.message.contains("Check-in is still open"))
            #expect(state.failureReason?.contains("check_in_still_open") == true)
        }
    }

    @Test func givenAPublishEventStep_whenItRuns_thenTheEventIsStoredInEVENTSAndNothingLandsInFLOWS() async throws {
        try await RuntimeHarness.with { harness in
            let flowsBefore = try await harness.jetStream.streamInfo(AlmanacStreams.flows).state.messages
            let step = FlowStep(id: "announce", action: .publishEvent(PublishEventStep(eventType: "desk_released",
                                                                                       data: ["bookingId": "{{booking.bookingId}}", "note": "key {{secrets.api_key}}"])))
            try await harness.withRuntime(StepExecutors(publishEvent: PublishEventExecutor(jetStream: harness.jetStream))) {
                let job = try await harness.startRun(RuntimeHarness.flow("announce", step), data: Self.data)
                let state = try await harness.waitForRun(job) { $0.isFinished }
                #expect(state.status == .completed)
                let events = try await harness.events(of: job)
                let success = try #require(events.succeeded.first)
                #expect(success.output.value(at: ["subject"]) == "events.desk_released")
                #expect(events.started.first?.inputs?.value(at: ["data", "note"]) == "key [redacted]")

                let stored = try #require(try await harness.jetStream.lastMessage(stream: AlmanacStreams.events, subject: "events.desk_released"))
                let body = try JSONDecoder().decode(FlowValue.self, from: Data(stored.payload))
                #expect(body.value(at: ["bookingId"]) == "bk-ns")
                #expect(stored.headers[EventEnvelope.Header.type] == "desk_released")
                #expect(stored.headers[EventEnvelope.Header.correlationId] == job.runId)
                #expect(try await harness.jetStream.streamNames(capturing: "events.desk_released") == [AlmanacStreams.events])
                #expect(try await harness.jetStream.streamInfo(AlmanacStreams.flows).state.messages == flowsBefore)
            }
        }
    }

    @Test func givenDeadLetters_whenTheyAreListed_thenEachShowsItsReasonAndTheyStayInWORK() async throws {
        try await RuntimeHarness.with { harness in
            // A runtime without a booking executor fails the step at once, non-retryably: a dead letter.
            try await harness.withRuntime(StepExecutors()) {
                let job = try await harness.startRun(RuntimeHarness.flow("no-executor", Self.release), data: Self.data)
                let state = try await harness.waitForRun(job) { $0.isFinished }
                #expect(state.status == .failed)
                try await harness.waitForWorkDrained()
                let reader = DeadLetters(jetStream: harness.jetStream)
                let letters = try await reader.list()
                #expect(letters.count == 1)
                let letter = try #require(letters.first)
                #expect(letter.subject == "work.dead.booking_command")
                #expect(letter.reason == state.failureReason)
                #expect(letter.dead?.job.runId == job.runId)
                #expect(letter.dead?.error.message.contains("not set up to run booking_command") == true)
                #expect(try await reader.list(kind: "send_email").isEmpty)
                #expect(try await reader.list(kind: "booking_command").map(\.sequence) == [letter.sequence])
                // Read, not consumed: still there.
                #expect(try await reader.list().map(\.sequence) == [letter.sequence])
                await #expect(throws: DeadLetterError.self) { try await reader.list(kind: "a.b") }
            }
        }
    }
}
