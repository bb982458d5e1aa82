import Booking
import FlowControl
import FlowWork
import Flows
import Foundation
import NATSClient
import Testing

extension FlowControlSuites {
    @Suite("Flow control: booking-event triggers", .timeLimit(.minutes(3)))
    struct BookingEventTriggerTests {
        @Test func givenThePublishedConfirmationFlow_whenABookingIsPlaced_thenOneRunMailsTheBookerWithResourceAndSite() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.publish(try FlowControlHarness.starterFlow("booking-confirmation"))
                try await harness.withServices { _ in
                    try await harness.place("bk-confirm", start: harness.clock.origin.addingTimeInterval(3600))
                    let (subject, state) = try await harness.waitForRun(of: "booking-confirmation") { $0.isFinished }
                    #expect(state.status == .completed)
                    let types = try await harness.runEvents(subject).map(\.typeName)
                    #expect(types == ["started", "step_scheduled", "step_started", "step_succeeded", "completed"])

                    let mails = try await harness.outbox()
                    try #require(mails.count == 1)
                    #expect(mails[0].to.contains("ada@almanac.example"))
                    #expect(mails[0].subject.hasPrefix("Booked: Desk 1 on "))
                    #expect(mails[0].runId == state.runId)
                    #expect(state.data.value(at: ["site", "name"]) == "Zürich Campus")
                    #expect(state.data.value(at: ["person", "name"]) == "Ada Lovelace")
                    // 10:00 Zürich time, as the booker reads it.
                    #expect(state.data.value(at: ["booking", "startLocal"])?.stringValue?.hasSuffix(" 10:00") == true)
                    #expect(try await harness.runSubjects(of: "booking-confirmation").count == 1)
                }
            }
        }

        @Test func givenTwoFlowControlReplicas_whenBookingsArePlaced_thenEachStartsExactlyOneRun() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.publish(try FlowControlHarness.starterFlow("booking-confirmation"))
                try await harness.withServices(replicas: 2) { controls in
                    for index in 1...4 {
                        try await harness.place("bk-replica-\(index)", resource: "zh-desk-00\(index)",
                                                start: harness.clock.origin.addingTimeInterval(3600), person: "person-\(index)")
                    }
                    try await harness.waitUntil("four completed runs") {
                        let subjects = try await harness.runSubjects(of: "booking-confirmation")
                        guard subjects.count >= 4 else { return false }
                        var completed = 0
                        for subject in subjects where try await harness.runEvents(subject).contains(where: { $0.typeName == "completed" }) { completed += 1 }
                        return completed == 4
                    }
                    #expect(try await harness.runSubjects(of: "booking-confirmation").count == 4)
                    #expect(try await harness.outbox().count == 4)
                    _ = controls
                }
            }
        }

        @Test func givenTwoFlowControlsEachSeeingEveryEvent_whenABookingIsPlaced_thenStillOneRunAndOneMail() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.publish(try FlowControlHarness.starterFlow("booking-confirmation"))
                // Separate consumers: both get the same event, as a redelivery to a second replica would.
                try await harness.withServices(replicas: 2, separateConsumers: true) { _ in
                    try await harness.place("bk-twice", start: harness.clock.origin.addingTimeInterval(3600))
                    let (subject, _) = try await harness.waitForRun(of: "booking-confirmation") { $0.isFinished }
                    // A second booking: both controls have handled the first event once it runs too.
                    try await harness.place("bk-twice-2", resource: "zh-desk-002", start: harness.clock.origin.addingTimeInterval(3600), person: "ben")
                    try await harness.waitUntil("the second run completed") {
                        let subjects = try await harness.runSubjects(of: "booking-confirmation")
                        guard subjects.count == 2 else { return false }
                        for other in subjects where other != subject {
                            return try await harness.runEvents(other).contains { $0.typeName == "completed" }
                        }
                        return false
                    }
                    let events = try await harness.runEvents(subject)
                    #expect(events.filter { $0.typeName == "started" }.count == 1)
                    #expect(events.filter { $0.typeName == "step_succeeded" }.count == 1)
                    #expect(try await harness.outbox().count == 2)
                }
            }
        }

        @Test func givenAFilterThatCannotBeEvaluated_whenABookingIsPlaced_thenNoRunAndTheConsumerMovesOn() async throws {
            try await FlowControlHarness.with { harness in
                // `booking.attendees` is a number: comparing it with text cannot be decided.
                var broken = try FlowControlHarness.starterFlow("booking-confirmation")
                broken.id = "broken-filter"
                broken.trigger = .bookingEvent(BookingEventTrigger(events: ["booking.placed"], filter: "booking.attendees > 'many'"))
                try await harness.publish(broken)
                try await harness.publish(try FlowControlHarness.starterFlow("booking-confirmation"))
                try await harness.withServices { _ in
                    try await harness.place("bk-filter", start: harness.clock.origin.addingTimeInterval(3600))
                    _ = try await harness.waitForRun(of: "booking-confirmation") { $0.isFinished }
                    #expect(try await harness.runSubjects(of: "broken-filter").isEmpty)
                }
            }
        }
    }
}

extension FlowValue {
    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
}
