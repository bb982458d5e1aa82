import Booking
import Foundation
import Testing

/// Times: Tuesday 10 March 2026 in Zürich is UTC+1, so 09:00 local is 08:00Z.
@Suite("Place a booking")
struct PlaceBookingTests {
    let now = utc("2026-03-09T12:00:00Z")

    @Test("given a free desk, when Ada books it, then it is placed on the desk and counted for Ada")
    func givenFreeDeskWhenPlacedThenEventsOnResourceAndPerson() {
        let result = Scenario(at: now).when(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T16:00:00Z"))
        let placed = BookingPlaced(bookingId: "b1", resourceId: "desk-1", siteId: "zh", personId: "ada", kind: .desk,
                                   start: utc("2026-03-10T08:00:00Z"), end: utc("2026-03-10T16:00:00Z"), attendees: 1,
                                   bookerTimeZone: "Europe/Zurich")
        let added = PersonBookingAdded(personId: "ada", bookingId: "b1", resourceId: "desk-1", siteId: "zh", kind: .desk,
                                       start: placed.start, end: placed.end, localDate: LocalDate("2026-03-10")!)
        #expect(result == .success([SubjectEvents(.resource("desk-1"), [.bookingPlaced(placed)]),
                                    SubjectEvents(.person("ada"), [.personBookingAdded(added)])]))
    }

    @Test("given Bob's booking, when Ada books an overlapping time, then the slot is taken")
    func givenBookingWhenOverlappingThenSlotTaken() throws {
        let scenario = Scenario(at: now)
        let bob = try scenario.accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T12:00:00Z"), by: Fixture.bob)
        let result = Scenario(given: Fixture.catalog + bob, at: now)
            .when(Fixture.place("b2", "desk-1", "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z"))
        #expect(result.rejection == .slotTaken)
        #expect(result.rejection?.message == "Sorry, that time is already taken.")
    }

    @Test("given Bob's booking, when Ada books right after it, then it is placed (no buffers on desks)")
    func givenBookingWhenAdjacentThenPlaced() throws {
        let bob = try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T12:00:00Z"), by: Fixture.bob)
        let result = Scenario(given: Fixture.catalog + bob, at: now)
            .when(Fixture.place("b2", "desk-1", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z"))
        #expect(result.events != nil)
    }

    @Test("given a catalog, when the times are wrong, then the rejection says what is wrong",
          arguments: [
            ("2026-03-10T08:05:00Z", "2026-03-10T09:00:00Z", BookingRejection.offSlotGrid(granularityMinutes: 15)),
            ("2026-03-10T09:00:00Z", "2026-03-10T08:00:00Z", .endNotAfterStart),
            ("2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", .endNotAfterStart),
            ("2026-03-10T06:00:00Z", "2026-03-10T08:00:00Z", .outsideOpeningHours),
            ("2026-03-10T16:00:00Z", "2026-03-10T18:00:00Z", .outsideOpeningHours),
            ("2026-03-10T08:00:00Z", "2026-03-10T08:15:00Z", .tooShort(minimumMinutes: 30)),
            ("2026-03-09T08:00:00Z", "2026-03-09T09:00:00Z", .inThePast),
            ("2026-04-20T08:00:00Z", "2026-04-20T09:00:00Z", .tooFarAhead(maximumDays: 30)),
          ])
    func givenCatalogWhenTimesWrongThenTypedRejection(start: String, end: String, expected: BookingRejection) {
        #expect(Scenario(at: now).when(Fixture.place("b1", "desk-1", start, end)).rejection == expected)
    }

    @Test("given a maximum duration, when booking longer, then it is too long")
    func givenMaximumDurationWhenLongerThenTooLong() {
        let shortDay = Fixture.history(of: Fixture.siteCommands() + [
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-1",
                                                 policyOverride: PolicyOverride(maximumDurationMinutes: 120))),
        ])
        let result = Scenario(given: shortDay, at: now).when(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z"))
        #expect(result.rejection == .tooLong(maximumMinutes: 120))
    }

    @Test("given a minimum notice of 2 hours, when booking 1 hour ahead, then the notice is too short; 2 hours ahead works")
    func givenMinimumNoticeWhenTooSoonThenRejected() {
        let withNotice = Fixture.history(of: Fixture.siteCommands() + [
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-1",
                                                 policyOverride: PolicyOverride(minimumNoticeToBookMinutes: 120))),
        ])
        let scenario = Scenario(given: withNotice, at: utc("2026-03-10T08:00:00Z"))
        #expect(scenario.when(Fixture.place("b1", "desk-1", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")).rejection
                == .tooShortNotice(minimumMinutes: 120))
        #expect(scenario.when(Fixture.place("b1", "desk-1", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z")).events != nil)
    }

    @Test("given a closure, when booking on that day, then the site is closed with its reason")
    func givenClosureWhenBookingThenSiteClosed() {
        let closed = Fixture.history(of: Fixture.siteCommands() + [
            .addClosure(AddClosure(idempotencyKey: "c", siteId: "zh", closure: Closure(
                closureId: "works", from: LocalDate("2026-03-10")!, through: LocalDate("2026-03-11")!, reason: "Building works"))),
        ])
        let result = Scenario(given: closed, at: now).when(Fixture.place("b1", "desk-1", "2026-03-11T08:00:00Z", "2026-03-11T09:00:00Z"))
        #expect(result.rejection == .siteClosed(date: LocalDate("2026-03-11")!, reason: "Building works"))
        #expect(result.rejection?.message == "The site is closed on 2026-03-11 (Building works).")
    }

    @Test("given a resource or site that does not exist, when booking it, then it is unknown")
    func givenNoSuchResourceWhenBookingThenUnknown() {
        let scenario = Scenario(at: now)
        #expect(scenario.when(Fixture.place("b1", "desk-9", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")).rejection == .unknownResource("desk-9"))
        #expect(scenario.when(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", siteId: "nowhere")).rejection
                == .unknownSite("nowhere"))
    }

    @Test("given ids with subject characters, when booking, then the field is named", arguments: ["a.b", "a*", ">", "a b", "", String(repeating: "x", count: 65)])
    func givenBadIdWhenBookingThenInvalidInput(id: String) {
        let result = Scenario(at: now).when(Fixture.place(id, "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"))
        guard case .invalidInput(let field, _) = result.rejection else {
            Issue.record("expected invalid input, got \(result)")
            return
        }
        #expect(field == "bookingId")
    }

    @Test("given a person id that cannot be a subject token, when booking, then personId is named")
    func givenBadPersonIdWhenBookingThenInvalid() {
        let result = Scenario(at: now).when(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"),
                                            by: Principal(personId: "auth0|ada", roles: [.booker]))
        #expect(result.rejection == .invalidInput(field: "personId", reason: "may contain only letters, digits, '_' and '-'"))
    }

    @Test("given a booker zone that does not exist, when booking, then it is invalid input")
    func givenUnknownBookerZoneWhenBookingThenInvalid() {
        let command = BookingCommand.place(PlaceBooking(idempotencyKey: "k", bookingId: "b1", siteId: "zh", resourceId: "desk-1",
                                                        start: utc("2026-03-10T08:00:00Z"), end: utc("2026-03-10T09:00:00Z"),
                                                        bookerTimeZone: "Mars/Olympus"))
        #expect(Scenario(at: now).when(command).rejection == .invalidInput(field: "bookerTimeZone", reason: "is not a known IANA time zone"))
    }

    @Test("given an existing booking id, when placing it again with another key, then it already exists")
    func givenBookingIdWhenReusedThenAlreadyExists() throws {
        let first = try Scenario(at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"))
        let result = Scenario(given: Fixture.catalog + first, at: now).when(Fixture.place("b1", "desk-1", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z"))
        #expect(result.rejection == .bookingAlreadyExists("b1"))
    }

    @Test("given an actor without the booker role, when booking, then it is not allowed")
    func givenNoBookerRoleWhenBookingThenNotAllowed() {
        let viewer = Principal(personId: "vic", roles: [])
        let result = Scenario(at: now).when(Fixture.place("b1", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"), by: viewer)
        #expect(result.rejection == .notAllowed(reason: "your role cannot book"))
    }

    @Test("given an idempotency key with spaces, when booking, then the key is named")
    func givenBadIdempotencyKeyWhenBookingThenInvalid() {
        let command = BookingCommand.place(PlaceBooking(idempotencyKey: "a key", bookingId: "b1", siteId: "zh", resourceId: "desk-1",
                                                        start: utc("2026-03-10T08:00:00Z"), end: utc("2026-03-10T09:00:00Z"),
                                                        bookerTimeZone: "Europe/Zurich"))
        guard case .invalidInput(let field, _) = Scenario(at: now).when(command).rejection else {
            Issue.record("expected invalid input")
            return
        }
        #expect(field == "idempotencyKey")
    }
}
