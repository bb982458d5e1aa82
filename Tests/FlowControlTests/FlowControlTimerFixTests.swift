import Booking
import EventStore
@testable import FlowControl
import Flows
import Foundation
import NATSClient
import Testing

extension FlowControlSuites {
    /// Booking timers set from the booking as it is now, and kept when their due time moved
    /// (review findings F2 and F3).
    @Suite("Flow control: booking timers that outlive their due time", .timeLimit(.minutes(3)))
    struct FlowControlTimerFixTests {
        /// The firing pending on a booking timer's subject, if any.
        static func pendingFiring(_ harness: FlowControlHarness, flowId: String, bookingId: String) async throws -> TimerFiring? {
            let subject = TimerSubjects.booking(flowId: flowId, bookingId: bookingId)
            guard let message = try await harness.jetStream.lastMessage(stream: AlmanacStreams.schedules, subject: subject) else { return nil }
            return try TimerFiring.decode(message.payload)
        }

        @Test func givenARescheduledBooking_whenItsPlacedEventIsHandledAgain_thenTheTimerKeepsTheNewDueTime() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                let reminder = try FlowControlHarness.starterFlow("booking-reminder") // 24 hours before start: days from now
                try await harness.publish(reminder)
                try await harness.withServices { controls in
                    try await harness.place("bk-f2", start: start)
                    try await harness.waitUntil("the reminder set for the first start") {
                        try await Self.pendingFiring(harness, flowId: reminder.id, bookingId: "bk-f2")?.dueAt == start.addingTimeInterval(-86_400)
                    }
                    let later = start.addingTimeInterval(2 * 3600)
                    try await harness.send(.changeTime(ChangeBookingTime(idempotencyKey: "move-bk-f2", bookingId: "bk-f2", resourceId: "zh-desk-001",
                                                                         start: later, end: later.addingTimeInterval(2 * 3600))),
                                           as: FlowControlHarness.ada.personId, roles: ["booker"])
                    try await harness.waitUntil("the reminder set for the new start") {
                        try await Self.pendingFiring(harness, flowId: reminder.id, bookingId: "bk-f2")?.dueAt == later.addingTimeInterval(-86_400)
                    }

                    // The `booking.placed` delivered once more (a redelivery, a late replica).
                    _ = try await harness.jetStream.createOrUpdateConsumer(stream: AlmanacStreams.bookings,
                                                                           ConsumerConfig(durableName: "f2-again", filterSubjects: ["bookings.resource.zh-desk-001"]))
                    let consumer = try await PullConsumer.bind(harness.jetStream, stream: AlmanacStreams.bookings, consumer: "f2-again")
                    let messages = try await consumer.fetch(batch: 100, expires: .seconds(2))
                    let placed = try #require(try messages.first { try harness.bookings.registry.decode($0.message).envelope.type == "booking.placed" })
                    guard case .ack = try await controls[0].handleBookingMessage(placed) else { Issue.record("the placed event was not acked"); return }

                    #expect(try await Self.pendingFiring(harness, flowId: reminder.id, bookingId: "bk-f2")?.dueAt == later.addingTimeInterval(-86_400))
                }
            }
        }

        @Test func givenATimerForADueTimeTheFlowNoLongerHas_whenItFires_thenItIsSetAgainForTheDueTimeNow() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    try await harness.place("bk-f3", start: start)
                    // Published after the booking: only the timer fired below knows of it.
                    let reminder = try FlowControlHarness.starterFlow("booking-reminder")
                    try await harness.publishLive(reminder, on: controls[0])
                    let due = start.addingTimeInterval(-86_400)
                    // Set by the version before, whose offset was an hour longer.
                    let stale = TimerFiring(kind: .booking, flowId: reminder.id, dueAt: due.addingTimeInterval(-3600), bookingId: "bk-f3", resourceId: "zh-desk-001")
                    _ = try await harness.jetStream.publish(TimerSubjects.fired(.booking), payload: try stale.encoded())
                    try await harness.waitUntil("the reminder set again for the due time now") {
                        try await Self.pendingFiring(harness, flowId: reminder.id, bookingId: "bk-f3")?.dueAt == due
                    }
                    #expect(try await harness.runSubjects(of: reminder.id).isEmpty)
                }
            }
        }

        @Test func givenATimerForADueTimeTheFlowNoLongerHas_whenTheDueTimeNowHasPassedBeforeTheBookingEnds_thenTheRunStartsAtOnce() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    try await harness.place("bk-f3-late", start: start)
                    // Due 30 s ago: published after the booking, so no timer was set for it.
                    let reminder = FlowControlSuites.BookingTimeTriggerTests.due(try FlowControlHarness.starterFlow("booking-reminder"), inSeconds: -30, start: start)
                    try await harness.publishLive(reminder, on: controls[0])
                    guard case .bookingTime(let trigger) = reminder.trigger, let before = trigger.before,
                          let seconds = TimeInterval(before.dropLast()) else { Issue.record("no offset"); return }
                    let due = start.addingTimeInterval(-seconds)
                    let stale = TimerFiring(kind: .booking, flowId: reminder.id, dueAt: due.addingTimeInterval(-3600), bookingId: "bk-f3-late", resourceId: "zh-desk-001")
                    _ = try await harness.jetStream.publish(TimerSubjects.fired(.booking), payload: try stale.encoded())
                    let (_, state) = try await harness.waitForRun(of: reminder.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    #expect(state.data.value(at: ["timer", "dueAt"]) == .string(FlowTime.format(due)))
                    #expect(try await harness.outbox().count == 1)
                }
            }
        }
    }
}
