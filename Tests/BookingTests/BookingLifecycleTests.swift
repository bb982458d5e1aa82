import Booking
import Foundation
import Testing

/// Cancel, change time, move, check in, release as no-show, favourites.
/// Ada holds desk-1 on Tuesday 10 March 2026, 09:00–12:00 Zürich (08:00Z–11:00Z); changes need 60 minutes' notice.
@Suite("Booking lifecycle")
struct BookingLifecycleTests {
    let now = utc("2026-03-09T12:00:00Z")

    func withAdasDesk() throws -> [SubjectEvents] {
        Fixture.catalog + (try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z")))
    }

    // MARK: cancel

    @Test("given Ada's booking, when she cancels it, then it is cancelled on the desk and removed from her bookings")
    func givenBookingWhenOwnerCancelsThenCancelled() throws {
        let result = Scenario(given: try withAdasDesk(), at: now)
            .when(.cancel(CancelBooking(idempotencyKey: "c1", bookingId: "b1", resourceId: "desk-1", reason: "sick")))
        #expect(result == .success([
            SubjectEvents(.resource("desk-1"), [.bookingCancelled(BookingCancelled(bookingId: "b1", resourceId: "desk-1", cancelledBy: "ada", reason: "sick"))]),
            SubjectEvents(.person("ada"), [.personBookingRemoved(PersonBookingRemoved(personId: "ada", bookingId: "b1"))]),
        ]))
    }

    @Test("given Ada's booking, when Bob cancels it, then it is not his booking; an admin may")
    func givenBookingWhenOtherCancelsThenNotYours() throws {
        let scenario = Scenario(given: try withAdasDesk(), at: now)
        let cancel = BookingCommand.cancel(CancelBooking(idempotencyKey: "c1", bookingId: "b1", resourceId: "desk-1"))
        #expect(scenario.when(cancel, by: Fixture.bob).rejection == .notYourBooking)
        #expect(scenario.when(cancel, by: Fixture.admin).events?.first?.aggregate == .resource("desk-1"))
    }

    @Test("given 60 minutes' notice to cancel, when Ada cancels 30 minutes before the start, then it is too late; an admin still can")
    func givenCancelNoticeWhenLateThenTooLate() throws {
        let scenario = Scenario(given: try withAdasDesk(), at: utc("2026-03-10T07:30:00Z"))
        let cancel = BookingCommand.cancel(CancelBooking(idempotencyKey: "c1", bookingId: "b1", resourceId: "desk-1"))
        #expect(scenario.when(cancel).rejection == .tooLateToCancel(minimumMinutes: 60))
        #expect(scenario.when(cancel, by: Fixture.admin).events != nil)
    }

    @Test("given a cancelled booking, when cancelled again, then it is no longer active; an unknown booking is not found")
    func givenCancelledWhenCancelledAgainThenNotActive() throws {
        let history = try withAdasDesk()
        let cancel = BookingCommand.cancel(CancelBooking(idempotencyKey: "c1", bookingId: "b1", resourceId: "desk-1"))
        let cancelled = try Scenario(given: history, at: now).accepted(cancel)
        let scenario = Scenario(given: history + cancelled, at: now)
        #expect(scenario.when(cancel).rejection == .bookingNotActive(status: .cancelled))
        #expect(scenario.when(.cancel(CancelBooking(idempotencyKey: "c2", bookingId: "nope", resourceId: "desk-1"))).rejection == .bookingNotFound("nope"))
        // The freed time can be booked again.
        #expect(scenario.when(Fixture.place("b2", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z"), by: Fixture.bob).events != nil)
    }

    // MARK: change time

    @Test("given Ada's booking, when she moves it an hour later overlapping its old time, then it is rescheduled")
    func givenBookingWhenChangedOverlappingItselfThenRescheduled() throws {
        let result = Scenario(given: try withAdasDesk(), at: now)
            .when(.changeTime(ChangeBookingTime(idempotencyKey: "t1", bookingId: "b1", resourceId: "desk-1",
                                                start: utc("2026-03-10T09:00:00Z"), end: utc("2026-03-10T12:00:00Z"))))
        #expect(result == .success([
            SubjectEvents(.resource("desk-1"), [.bookingRescheduled(BookingRescheduled(bookingId: "b1", resourceId: "desk-1",
                                                                                       start: utc("2026-03-10T09:00:00Z"), end: utc("2026-03-10T12:00:00Z")))]),
            SubjectEvents(.person("ada"), [.personBookingChanged(PersonBookingChanged(personId: "ada", bookingId: "b1", resourceId: "desk-1",
                                                                                      start: utc("2026-03-10T09:00:00Z"), end: utc("2026-03-10T12:00:00Z"),
                                                                                      localDate: LocalDate("2026-03-10")!))]),
        ]))
    }

    @Test("given Ada's and Bob's bookings, when Ada changes into Bob's time, then it is taken; off the grid is refused; too late is refused")
    func givenTwoBookingsWhenChangedIntoOtherThenTaken() throws {
        var history = try withAdasDesk()
        history += try Scenario(given: history, at: now).accepted(Fixture.place("b2", "desk-1", "2026-03-10T12:00:00Z", "2026-03-10T14:00:00Z"), by: Fixture.bob)
        let scenario = Scenario(given: history, at: now)
        let change = { (start: String, end: String) in
            BookingCommand.changeTime(ChangeBookingTime(idempotencyKey: "t1", bookingId: "b1", resourceId: "desk-1", start: utc(start), end: utc(end)))
        }
        #expect(scenario.when(change("2026-03-10T10:00:00Z", "2026-03-10T13:00:00Z")).rejection == .slotTaken)
        #expect(scenario.when(change("2026-03-10T08:10:00Z", "2026-03-10T11:00:00Z")).rejection == .offSlotGrid(granularityMinutes: 15))
        #expect(scenario.when(change("2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z"), by: Fixture.bob).rejection == .notYourBooking)
        let late = Scenario(given: history, at: utc("2026-03-10T07:30:00Z"))
        #expect(late.when(change("2026-03-10T09:00:00Z", "2026-03-10T11:00:00Z")).rejection == .tooLateToChange(minimumMinutes: 60))
    }

    // MARK: move

    @Test("given Ada's booking on desk 1, when she moves it to desk 2, then one batch over both desks and her bookings")
    func givenBookingWhenMovedThenThreeSubjects() throws {
        let result = Scenario(given: try withAdasDesk(), at: now)
            .when(.move(MoveBooking(idempotencyKey: "m1", bookingId: "b1", fromResourceId: "desk-1", toResourceId: "desk-2")))
        let start = utc("2026-03-10T08:00:00Z"), end = utc("2026-03-10T11:00:00Z")
        #expect(result == .success([
            SubjectEvents(.resource("desk-1"), [.bookingMovedOut(BookingMovedOut(bookingId: "b1", resourceId: "desk-1", toResourceId: "desk-2"))]),
            SubjectEvents(.resource("desk-2"), [.bookingMovedIn(BookingMovedIn(bookingId: "b1", resourceId: "desk-2", fromResourceId: "desk-1", siteId: "zh",
                                                                               personId: "ada", kind: .desk, start: start, end: end, attendees: 1,
                                                                               bookerTimeZone: "Europe/Zurich"))]),
            SubjectEvents(.person("ada"), [.personBookingChanged(PersonBookingChanged(personId: "ada", bookingId: "b1", resourceId: "desk-2",
                                                                                      start: start, end: end, localDate: LocalDate("2026-03-10")!))]),
        ]))
    }

    @Test("given a moved booking, then desk 1 is free and desk 2 is taken at that time")
    func givenMovedWhenBookingThenOccupancyFollows() throws {
        var history = try withAdasDesk()
        history += try Scenario(given: history, at: now).accepted(.move(MoveBooking(idempotencyKey: "m1", bookingId: "b1", fromResourceId: "desk-1", toResourceId: "desk-2")))
        let scenario = Scenario(given: history, at: now)
        #expect(scenario.when(Fixture.place("x", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z"), by: Fixture.bob).events != nil)
        #expect(scenario.when(Fixture.place("x", "desk-2", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z"), by: Fixture.bob).rejection == .slotTaken)
        // And it can be cancelled where it now is.
        #expect(scenario.when(.cancel(CancelBooking(idempotencyKey: "c", bookingId: "b1", resourceId: "desk-2"))).events != nil)
        #expect(scenario.when(.cancel(CancelBooking(idempotencyKey: "c", bookingId: "b1", resourceId: "desk-1"))).rejection
                == .bookingNotActive(status: .movedAway))
    }

    @Test("given a target that is taken, restricted, the same or unknown, when moving, then the rejection says so")
    func givenBadTargetWhenMovingThenRejected() throws {
        var history = try withAdasDesk()
        history += try Scenario(given: history, at: now).accepted(Fixture.place("b2", "desk-2", "2026-03-10T10:00:00Z", "2026-03-10T12:00:00Z"), by: Fixture.bob)
        history += try Scenario(given: history, at: now).accepted(.addResource(AddResource(idempotencyKey: "d3", siteId: "zh", resource: ResourceDefinition(
            resourceId: "desk-3", floorId: "f1", name: "Desk 3", kind: .desk, restrictedToGroups: ["execs"]))), by: Fixture.admin)
        let scenario = Scenario(given: history, at: now)
        let move = { (to: ResourceID) in BookingCommand.move(MoveBooking(idempotencyKey: "m", bookingId: "b1", fromResourceId: "desk-1", toResourceId: to)) }
        #expect(scenario.when(move("desk-2")).rejection == .slotTaken)
        #expect(scenario.when(move("desk-3")).rejection == .notAllowed(reason: "Desk 3 is reserved for members of Executives"))
        #expect(scenario.when(move("park-1")).rejection == .differentKind(from: .desk, to: .parkingSpace))
        #expect(scenario.when(move("desk-1")).rejection == .sameResource)
        #expect(scenario.when(move("desk-7")).rejection == .unknownResource("desk-7"))
        #expect(scenario.when(move("desk.7")).rejection == .invalidInput(field: "toResourceId", reason: "may contain only letters, digits, '_' and '-'"))
    }

    // MARK: check in and no-show

    @Test("given Ada's booking, when she checks in within the window, then checked in; too early or too late is refused")
    func givenBookingWhenCheckInThenWindowApplies() throws {
        let history = try withAdasDesk()
        let checkIn = BookingCommand.checkIn(CheckIn(idempotencyKey: "i", bookingId: "b1", resourceId: "desk-1"))
        let onTime = Scenario(given: history, at: utc("2026-03-10T07:50:00Z")).when(checkIn)
        #expect(onTime == .success([SubjectEvents(.resource("desk-1"), [.bookingCheckedIn(BookingCheckedIn(
            bookingId: "b1", resourceId: "desk-1", checkedInAt: utc("2026-03-10T07:50:00Z")))])]))
        #expect(Scenario(given: history, at: utc("2026-03-10T07:40:00Z")).when(checkIn).rejection
                == .checkInNotOpenYet(opensAt: utc("2026-03-10T07:45:00Z")))
        #expect(Scenario(given: history, at: utc("2026-03-10T08:31:00Z")).when(checkIn).rejection == .checkInClosed)
        #expect(Scenario(given: history, at: utc("2026-03-10T08:00:00Z")).when(checkIn, by: Fixture.bob).rejection == .notYourBooking)
    }

    @Test("given nobody checked in, when the automation releases after the window, then released and removed from Ada's bookings")
    func givenNoCheckInWhenReleasedAfterWindowThenReleased() throws {
        let history = try withAdasDesk()
        let release = BookingCommand.releaseNoShow(ReleaseNoShow(idempotencyKey: "r", bookingId: "b1", resourceId: "desk-1"))
        let result = Scenario(given: history, at: utc("2026-03-10T08:31:00Z")).when(release, by: Fixture.automation)
        #expect(result == .success([
            SubjectEvents(.resource("desk-1"), [.bookingReleasedAsNoShow(BookingReleasedAsNoShow(bookingId: "b1", resourceId: "desk-1", releasedBy: "flow-runtime"))]),
            SubjectEvents(.person("ada"), [.personBookingRemoved(PersonBookingRemoved(personId: "ada", bookingId: "b1"))]),
        ]))
        #expect(Scenario(given: history, at: utc("2026-03-10T08:20:00Z")).when(release, by: Fixture.automation).rejection
                == .checkInStillOpen(closesAt: utc("2026-03-10T08:30:00Z")))
        #expect(Scenario(given: history, at: utc("2026-03-10T08:31:00Z")).when(release, by: Fixture.bob).rejection
                == .notAllowed(reason: "only administrators and automations release no-shows"))
    }

    @Test("given Ada checked in, when the automation tries to release, then the booking is not a no-show")
    func givenCheckedInWhenReleasedThenNotActive() throws {
        var history = try withAdasDesk()
        history += try Scenario(given: history, at: utc("2026-03-10T08:00:00Z")).accepted(.checkIn(CheckIn(idempotencyKey: "i", bookingId: "b1", resourceId: "desk-1")))
        let result = Scenario(given: history, at: utc("2026-03-10T09:00:00Z"))
            .when(.releaseNoShow(ReleaseNoShow(idempotencyKey: "r", bookingId: "b1", resourceId: "desk-1")), by: Fixture.automation)
        #expect(result.rejection == .bookingNotActive(status: .checkedIn))
    }

    // MARK: favourites

    @Test("given a desk, when Ada adds it as a favourite twice and removes it, then one event each way")
    func givenDeskWhenFavouritedThenRecordedOnce() throws {
        let add = BookingCommand.addFavourite(AddFavourite(idempotencyKey: "f", siteId: "zh", resourceId: "desk-1"))
        let added = try Scenario(at: now).accepted(add)
        #expect(added == [SubjectEvents(.person("ada"), [.favouriteAdded(FavouriteAdded(personId: "ada", siteId: "zh", resourceId: "desk-1"))])])
        let scenario = Scenario(given: Fixture.catalog + added, at: now)
        #expect(scenario.when(add) == .success([]))
        #expect(scenario.when(.removeFavourite(RemoveFavourite(idempotencyKey: "g", resourceId: "desk-1")))
                == .success([SubjectEvents(.person("ada"), [.favouriteRemoved(FavouriteRemoved(personId: "ada", resourceId: "desk-1"))])]))
        #expect(Scenario(at: now).when(.addFavourite(AddFavourite(idempotencyKey: "f", siteId: "zh", resourceId: "nope"))).rejection
                == .unknownResource("nope"))
    }

    @Test("given a cancel command, the handler is told to load the resource first, then the booking's person and site")
    func missingAggregatesFollowTheBooking() throws {
        let cancel = BookingCommand.cancel(CancelBooking(idempotencyKey: "c", bookingId: "b1", resourceId: "desk-1"))
        var context = DecisionContext(actor: Fixture.admin, now: now)
        #expect(BookingDecider.missingAggregates(for: cancel, in: context) == [.resource("desk-1")])
        let full = Scenario(given: try withAdasDesk(), at: now).context
        context.resources["desk-1"] = full.resources["desk-1"]
        #expect(BookingDecider.missingAggregates(for: cancel, in: context) == [.person("ada"), .site("zh")])
        context.persons["ada"] = full.persons["ada"]
        context.sites["zh"] = full.sites["zh"]
        #expect(BookingDecider.missingAggregates(for: cancel, in: context).isEmpty)
    }
}
