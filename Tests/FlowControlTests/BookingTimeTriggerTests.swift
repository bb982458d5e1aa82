import Booking
import EventStore
import FlowControl
import FlowWork
import Flows
import Foundation
import NATSClient
import Testing

extension FlowControlSuites {
    /// Relative-time triggers with due times a few seconds from now: the booking domain runs on a
    /// clock next Wednesday (see `DomainClock`), so the flows here say "N seconds before start"
    /// with N chosen to land on now + a few seconds. No sleeps: each test waits for a run event.
    @Suite("Flow control: booking-time triggers", .timeLimit(.minutes(3)))
    struct BookingTimeTriggerTests {
        /// A copy of `flow` whose booking-time trigger is due `seconds` from now for a booking starting at `start`.
        static func due(_ flow: FlowDefinition, id: String? = nil, inSeconds seconds: Int, start: Date) -> FlowDefinition {
            guard case .bookingTime(var trigger) = flow.trigger else { preconditionFailure("not a booking_time flow") }
            var flow = flow
            flow.id = id ?? flow.id
            trigger.after = nil
            trigger.before = "\(Int(start.timeIntervalSinceNow.rounded()) - seconds)s"
            flow.trigger = .bookingTime(trigger)
            return flow
        }

        @Test func givenAReminderFlow_whenABookingIsPlaced_thenTheRunStartsAtTheDueTimeAndMailsTheBooker() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    let reminder = Self.due(try FlowControlHarness.starterFlow("booking-reminder"), inSeconds: 4, start: start)
                    try await harness.publishLive(reminder, on: controls[0])
                    try await harness.place("bk-remind", start: start)
                    let (_, state) = try await harness.waitForRun(of: reminder.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    #expect(state.data.value(at: ["booking", "bookingId"]) == "bk-remind")
                    #expect(state.data.value(at: ["timer", "dueAt"]) != nil)
                    let mails = try await harness.outbox()
                    #expect(mails.count == 1)
                    #expect(mails.first?.to.contains("ada@almanac.example") == true)
                    #expect(mails.first?.subject.hasPrefix("Tomorrow: Desk 1 at ") == true)
                }
            }
        }

        @Test func givenACancelledBooking_whenItsReminderWouldBeDue_thenItsScheduleIsGoneAndNoRunStarts() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                // The shipped reminder: due 24 hours before start, days from now.
                let reminder = try FlowControlHarness.starterFlow("booking-reminder")
                try await harness.publish(reminder)
                try await harness.withServices { controls in
                    try await harness.place("bk-cancel", start: start)
                    try await harness.place("bk-keep", resource: "zh-desk-002", start: start, person: "ben")
                    let cancelled = TimerSubjects.booking(flowId: reminder.id, bookingId: "bk-cancel")
                    let kept = TimerSubjects.booking(flowId: reminder.id, bookingId: "bk-keep")
                    try await harness.waitUntil("both reminders scheduled") {
                        let first = try await controls[0].hasSchedule(on: cancelled)
                        let second = try await controls[0].hasSchedule(on: kept)
                        return first && second
                    }
                    try await harness.send(.cancel(CancelBooking(idempotencyKey: "cancel-bk-cancel", bookingId: "bk-cancel", resourceId: "zh-desk-001")),
                                           as: FlowControlHarness.ada.personId, roles: ["booker"])
                    try await harness.waitUntil("the cancelled booking's schedule removed") { try await !controls[0].hasSchedule(on: cancelled) }
                    #expect(try await controls[0].hasSchedule(on: kept))

                    // A timer that fired anyway (set just before the purge) starts nothing either; the
                    // kept booking's timer after it shows when both have been handled.
                    let due = start.addingTimeInterval(-24 * 3600)
                    for bookingId in ["bk-cancel", "bk-keep"] {
                        let resource = bookingId == "bk-cancel" ? "zh-desk-001" : "zh-desk-002"
                        let firing = TimerFiring(kind: .booking, flowId: reminder.id, dueAt: due, bookingId: bookingId, resourceId: resource)
                        _ = try await harness.jetStream.publish(TimerSubjects.fired(.booking), payload: try firing.encoded())
                    }
                    _ = try await harness.waitForRun(of: reminder.id) { $0.data.value(at: ["booking", "bookingId"]) == "bk-keep" }
                    let reminded = try await harness.runSubjects(of: reminder.id)
                    #expect(reminded.count == 1)
                    for subject in reminded {
                        let started = try await harness.runEvents(subject).first
                        guard case .started(let event)? = started else { Issue.record("no run.started on \(subject)"); continue }
                        #expect(event.data.value(at: ["booking", "bookingId"]) == "bk-keep")
                        #expect(event.triggerKey == RunIdentity.timerKey(bookingId: "bk-keep", dueAt: due))
                    }
                }
            }
        }

        @Test func givenARunWaitingForItsBooking_whenTheBookingIsCancelled_thenTheRunIsCancelled() async throws {
            try await FlowControlHarness.with { harness in
                let waiting = FlowDefinition(id: "wait-then-mail", name: "Wait, then mail", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])),
                                             steps: [FlowStep(id: "pause", action: .wait(WaitStep(duration: "1h"))),
                                                     FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Later", body: "Hello")))])
                try await harness.publish(waiting)
                try await harness.withServices { _ in
                    try await harness.place("bk-waiting", start: harness.clock.origin.addingTimeInterval(3600))
                    _ = try await harness.waitForRun(of: waiting.id) { $0.currentStepId == "pause" && $0.steps["pause"]?.status == .scheduled }
                    try await harness.send(.cancel(CancelBooking(idempotencyKey: "cancel-bk-waiting", bookingId: "bk-waiting", resourceId: "zh-desk-001")),
                                           as: FlowControlHarness.ada.personId, roles: ["booker"])
                    let (_, state) = try await harness.waitForRun(of: waiting.id) { $0.status == .cancelled }
                    #expect(state.steps["mail"] == nil)
                    #expect(try await harness.outbox().isEmpty)
                }
            }
        }

        @Test func givenTheShippedNoShowFlow_whenNobodyCheckedIn_thenTheDeskIsReleasedAndTheBookerTold() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    let noShow = Self.due(try FlowControlHarness.starterFlow("desk-no-show-release"), inSeconds: 6, start: start)
                    try await harness.publishLive(noShow, on: controls[0])
                    try await harness.place("bk-noshow", start: start)
                    // For the booking domain, the check-in window has closed when the timer fires.
                    harness.clock.set(start.addingTimeInterval(31 * 60))
                    let (_, state) = try await harness.waitForRun(of: noShow.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    let types = try await harness.bookings.read(subject: "bookings.resource.zh-desk-001").map(\.envelope.type)
                    #expect(types.contains("booking.released_no_show"))
                    let mails = try await harness.outbox()
                    #expect(mails.map(\.subject) == ["Desk 1 was released"])
                }
            }
        }

        @Test func givenTheShippedNoShowFlow_whenTheBookerCheckedInMeanwhile_thenNoRunAndTheDeskStaysBooked() async throws {
            try await FlowControlHarness.with { harness in
                let start = harness.clock.origin.addingTimeInterval(3600)
                try await harness.withServices { controls in
                    let noShow = Self.due(try FlowControlHarness.starterFlow("desk-no-show-release"), inSeconds: 8, start: start)
                    let probe = Self.due(try FlowControlHarness.starterFlow("booking-reminder"), id: "probe", inSeconds: 10, start: start)
                    try await harness.publishLive(noShow, on: controls[0])
                    try await harness.publishLive(probe, on: controls[0])
                    try await harness.place("bk-present", start: start)
                    harness.clock.set(start.addingTimeInterval(5 * 60))
                    try await harness.send(.checkIn(CheckIn(idempotencyKey: "checkin-bk-present", bookingId: "bk-present", resourceId: "zh-desk-001")),
                                           as: FlowControlHarness.ada.personId, roles: ["booker"])
                    harness.clock.set(start.addingTimeInterval(31 * 60))
                    // The probe is due after the no-show timer: when it has run, that timer was handled.
                    _ = try await harness.waitForRun(of: "probe") { $0.isFinished }
                    #expect(try await harness.runSubjects(of: noShow.id).isEmpty)
                    let types = try await harness.bookings.read(subject: "bookings.resource.zh-desk-001").map(\.envelope.type)
                    #expect(!types.contains("booking.released_no_show"))
                }
            }
        }
    }
}

