import Booking
import Foundation
import Testing

/// Restriction groups, per-person limits, buffers, capacity and appointments.
@Suite("Booking rules")
struct RulesTests {
    let now = utc("2026-03-09T12:00:00Z")

    @Test("given a parking space for executives, when a non-member books it, then not allowed; a member may")
    func givenRestrictedResourceWhenNonMemberThenNotAllowed() {
        let scenario = Scenario(at: now)
        let command = Fixture.place("p1", "park-1", "2026-03-10T08:00:00Z", "2026-03-10T16:00:00Z")
        #expect(scenario.when(command, by: Fixture.ada).rejection == .notAllowed(reason: "Parking 1 is reserved for members of Executives"))
        #expect(scenario.when(command, by: Fixture.executive).events != nil)
    }

    @Test("given Ada has a desk on Tuesday, when she books another desk that day, then her daily limit is reached; Wednesday works")
    func givenDeskTodayWhenSecondDeskThenDailyLimit() throws {
        let first = try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T10:00:00Z"))
        let scenario = Scenario(given: Fixture.catalog + first, at: now)
        let sameDay = scenario.when(Fixture.place("b2", "desk-2", "2026-03-10T12:00:00Z", "2026-03-10T14:00:00Z"))
        #expect(sameDay.rejection == .dailyLimitReached(kind: .desk, limit: 1))
        #expect(sameDay.rejection?.message == "You already have 1 desk booking on that day, the most allowed.")
        #expect(scenario.when(Fixture.place("b2", "desk-2", "2026-03-11T08:00:00Z", "2026-03-11T10:00:00Z")).events != nil)
        // Bob is not limited by Ada's booking, and a room is another kind.
        #expect(scenario.when(Fixture.place("b2", "desk-2", "2026-03-10T12:00:00Z", "2026-03-10T14:00:00Z"), by: Fixture.bob).events != nil)
        #expect(scenario.when(Fixture.place("b2", "room-1", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z")).events != nil)
    }

    @Test("given Ada's desk this morning has ended, when she books another desk this afternoon, then the day's limit still counts it")
    func givenEndedDeskTodayWhenSecondDeskThenDailyLimit() throws {
        let first = try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T10:00:00Z"))
        let afternoon = Scenario(given: Fixture.catalog + first, at: utc("2026-03-10T11:00:00Z"))
        #expect(afternoon.when(Fixture.place("b2", "desk-2", "2026-03-10T12:00:00Z", "2026-03-10T14:00:00Z")).rejection
                == .dailyLimitReached(kind: .desk, limit: 1))
    }

    @Test("given Ada cancelled her desk, when she books another that day, then the limit no longer counts it")
    func givenCancelledWhenRebookingThenAllowed() throws {
        let first = try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T10:00:00Z"))
        let cancel = try Scenario(given: Fixture.catalog + first, at: now)
            .accepted(.cancel(CancelBooking(idempotencyKey: "c", bookingId: "b1", resourceId: "desk-1")))
        let result = Scenario(given: Fixture.catalog + first + cancel, at: now)
            .when(Fixture.place("b2", "desk-2", "2026-03-10T12:00:00Z", "2026-03-10T14:00:00Z"))
        #expect(result.events != nil)
    }

    @Test("given at most 2 future bookings, when Ada books a third, then her limit is reached")
    func givenFutureLimitWhenThirdThenRejected() throws {
        var history = Fixture.history(of: Fixture.siteCommands() + [
            .setSitePolicy(SetSitePolicy(idempotencyKey: "p", siteId: "zh", policy: {
                var policy = Fixture.policy
                policy.maximumFutureBookings = 2
                return policy
            }())),
        ])
        history += try Scenario(given: history, at: now).accepted(Fixture.place("r1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"))
        history += try Scenario(given: history, at: now).accepted(Fixture.place("r2", "room-1", "2026-03-11T08:00:00Z", "2026-03-11T09:00:00Z"))
        let result = Scenario(given: history, at: now).when(Fixture.place("r3", "room-1", "2026-03-12T08:00:00Z", "2026-03-12T09:00:00Z"))
        #expect(result.rejection == .futureBookingsLimitReached(limit: 2))
        // Once the first has ended it no longer counts.
        let later = Scenario(given: history, at: utc("2026-03-10T12:00:00Z"))
        #expect(later.when(Fixture.place("r3", "room-1", "2026-03-12T08:00:00Z", "2026-03-12T09:00:00Z")).events != nil)
    }

    @Test("given a room with 10 minutes cleaning after, when booking right after a meeting, then taken; 15 minutes later is free")
    func givenBufferAfterWhenAdjacentThenTaken() throws {
        let meeting = try Scenario(at: now).accepted(Fixture.place("m1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"), by: Fixture.bob)
        let scenario = Scenario(given: Fixture.catalog + meeting, at: now)
        #expect(scenario.when(Fixture.place("m2", "room-1", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")).rejection == .slotTaken)
        #expect(scenario.when(Fixture.place("m2", "room-1", "2026-03-10T09:15:00Z", "2026-03-10T10:15:00Z")).events != nil)
        // The buffer also blocks a meeting ending just before: it would run its own cleaning into the next one.
        #expect(scenario.when(Fixture.place("m0", "room-1", "2026-03-10T07:00:00Z", "2026-03-10T08:00:00Z")).rejection == .slotTaken)
        #expect(scenario.when(Fixture.place("m0", "room-1", "2026-03-10T07:00:00Z", "2026-03-10T07:45:00Z")).events != nil)
    }

    @Test("given a buffer before, when booking so the set-up overlaps a meeting, then taken")
    func givenBufferBeforeWhenOverlapThenTaken() throws {
        let history = Fixture.history(of: Fixture.siteCommands() + [
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "room-1",
                                                 policyOverride: PolicyOverride(bufferBeforeMinutes: 15))),
        ])
        let meeting = try Scenario(given: history, at: now).accepted(Fixture.place("m1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"))
        let scenario = Scenario(given: history + meeting, at: now)
        #expect(scenario.when(Fixture.place("m2", "room-1", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")).rejection == .slotTaken)
        #expect(scenario.when(Fixture.place("m2", "room-1", "2026-03-10T09:15:00Z", "2026-03-10T10:00:00Z")).events != nil)
    }

    @Test("given a room with 6 seats, when booking for 8 people, then too many attendees; 6 fit")
    func givenRoomSeatsWhenTooManyThenRejected() {
        let scenario = Scenario(at: now)
        #expect(scenario.when(Fixture.place("m1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", attendees: 8)).rejection
                == .tooManyAttendees(seats: 6))
        #expect(scenario.when(Fixture.place("m1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", attendees: 6)).events != nil)
        #expect(scenario.when(Fixture.place("m1", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", attendees: 0)).rejection
                == .invalidInput(field: "attendees", reason: "must be at least 1"))
    }

    @Test("given a service with capacity 2, when a third person books the same appointment, then taken")
    func givenCapacityTwoWhenThirdThenTaken() throws {
        var history = Fixture.catalog
        history += try Scenario(given: history, at: now).accepted(Fixture.place("a1", "help", "2026-03-10T07:40:00Z", "2026-03-10T08:10:00Z"))
        history += try Scenario(given: history, at: now).accepted(Fixture.place("a2", "help", "2026-03-10T07:40:00Z", "2026-03-10T08:10:00Z"), by: Fixture.bob)
        let third = Scenario(given: history, at: now).when(Fixture.place("a3", "help", "2026-03-10T07:40:00Z", "2026-03-10T08:10:00Z"), by: Fixture.executive)
        #expect(third.rejection == .slotTaken)
    }

    @Test("given an appointment service, when the time is off its grid or the wrong length, then rejected")
    func givenAppointmentWhenOffGridThenRejected() {
        let scenario = Scenario(at: now)
        // Grid: 08:00, 08:40, 09:20, 10:00 ... local (30 minutes + 10 minutes after), i.e. 07:00Z, 07:40Z, ...
        #expect(scenario.when(Fixture.place("a1", "help", "2026-03-10T07:40:00Z", "2026-03-10T08:10:00Z")).events != nil)
        #expect(scenario.when(Fixture.place("a1", "help", "2026-03-10T08:00:00Z", "2026-03-10T08:30:00Z")).rejection == .notAnAppointmentSlot)
        #expect(scenario.when(Fixture.place("a1", "help", "2026-03-10T07:40:00Z", "2026-03-10T08:40:00Z")).rejection
                == .wrongAppointmentLength(minutes: 30))
    }
}
