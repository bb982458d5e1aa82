import Booking
import FlowControl
import Flows
import Foundation
import Testing

extension FlowControlSuites {
    /// Which runs a cancelled booking cancels (review findings F1 and F9).
    @Suite("Flow control: runs of a cancelled booking", .timeLimit(.minutes(3)))
    struct FlowControlCancellationFixTests {
        static let pauseThenMail = [FlowStep(id: "pause", action: .wait(WaitStep(duration: "1h"))),
                                    FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "After the pause", body: "Done")))]

        static func onEvents(_ id: String, _ events: [String]) -> FlowDefinition {
            FlowDefinition(id: id, name: id, trigger: .bookingEvent(BookingEventTrigger(events: events)), steps: pauseThenMail)
        }

        static func cancel(_ bookingId: String, on resource: String = "zh-desk-001") -> BookingCommand {
            .cancel(CancelBooking(idempotencyKey: "cancel-\(bookingId)", bookingId: bookingId, resourceId: resource))
        }

        @Test func givenAFlowTriggeredByTheCancellation_whenABookingIsCancelled_thenItsRunGoesOnAndTheEarlierRunIsCancelled() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.publish(Self.onEvents("on-placed", ["booking.placed"]))
                try await harness.publish(Self.onEvents("on-cancelled", ["booking.cancelled"]))
                try await harness.withServices { _ in
                    let start = harness.clock.origin.addingTimeInterval(3600)
                    try await harness.place("bk-f1", start: start)
                    let (placedRun, _) = try await harness.waitForRun(of: "on-placed") { $0.currentStepId == "pause" }
                    try await harness.send(Self.cancel("bk-f1"), as: FlowControlHarness.ada.personId, roles: ["booker"])
                    // A later booking's run shows that the cancellation has been handled whole
                    // (one consumer, messages in order).
                    try await harness.place("bk-f1-later", resource: "zh-desk-002", start: start, person: "ben")
                    _ = try await harness.waitForRun(of: "on-placed") { $0.data.value(at: ["booking", "bookingId"]) == "bk-f1-later" }

                    let placedEvents = try await harness.runEvents(placedRun)
                    #expect(placedEvents.last?.typeName == "cancelled")
                    let cancelledRuns = try await harness.runSubjects(of: "on-cancelled")
                    try #require(cancelledRuns.count == 1)
                    for subject in cancelledRuns {
                        let types = try await harness.runEvents(subject).map(\.typeName)
                        #expect(types == ["started", "step_scheduled"], "the run the cancellation started is not cancelled by it")
                    }
                }
            }
        }

        @Test func givenARescheduledBookingWithATimedRunAndARunInRetryBackoff_whenItIsCancelled_thenBothRunsAreCancelled() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    var timed = FlowControlSuites.BookingTimeTriggerTests.due(try FlowControlHarness.starterFlow("booking-reminder"),
                                                                              id: "timed-pause", inSeconds: 3, start: start)
                    timed.steps = Self.pauseThenMail
                    try await harness.publishLive(timed, on: controls[0])
                    // The booking id is no mail address: the step fails as invalid input and waits an hour for its retry.
                    let retrying = FlowDefinition(id: "mail-retrying", name: "Mail retrying", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])),
                                                  steps: [FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{booking.bookingId}}"], subject: "Never", body: "Never")),
                                                                   retry: RetryPolicy(attempts: 3, initialDelay: "1h", retryOn: [.invalidInput]))])
                    try await harness.publishLive(retrying, on: controls[0])

                    try await harness.place("bk-f9", start: start)
                    let (timedRun, _) = try await harness.waitForRun(of: timed.id) { $0.currentStepId == "pause" }
                    let (retryingRun, _) = try await harness.waitForRun(of: retrying.id) { $0.steps["mail"]?.attempt == 2 }
                    try await harness.send(.changeTime(ChangeBookingTime(idempotencyKey: "move-bk-f9", bookingId: "bk-f9", resourceId: "zh-desk-001",
                                                                         start: start.addingTimeInterval(3600), end: start.addingTimeInterval(3 * 3600))),
                                           as: FlowControlHarness.ada.personId, roles: ["booker"])
                    try await harness.send(Self.cancel("bk-f9"), as: FlowControlHarness.ada.personId, roles: ["booker"])

                    _ = try await harness.waitForRun(of: timed.id) { $0.status == .cancelled }
                    _ = try await harness.waitForRun(of: retrying.id) { $0.status == .cancelled }
                    #expect(try await harness.runEvents(timedRun).last?.typeName == "cancelled")
                    #expect(try await harness.runEvents(retryingRun).last?.typeName == "cancelled")
                    #expect(try await harness.outbox().isEmpty)
                }
            }
        }
    }
}
