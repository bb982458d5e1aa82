import Booking
import Foundation
import Testing

/// Given/When/Then over the pure decider: `given` events per aggregate are folded into a
/// context, `when` is decided, and `then` compares the events or the rejection.
struct Scenario {
    var context: DecisionContext

    init(given history: [SubjectEvents] = Fixture.catalog, at now: Date) {
        context = BookingDecider.evolve(DecisionContext(actor: Fixture.ada, now: now), with: history)
    }

    func when(_ command: BookingCommand, by actor: Principal = Fixture.ada) -> Result<[SubjectEvents], BookingRejection> {
        var context = self.context
        context.actor = actor
        return BookingDecider.decide(command, context)
    }

    /// The events of a successful decision, to use as history of the next step.
    func accepted(_ command: BookingCommand, by actor: Principal = Fixture.ada, sourceLocation: SourceLocation = #_sourceLocation) throws -> [SubjectEvents] {
        let result = when(command, by: actor)
        guard case .success(let events) = result else {
            Issue.record("expected success, got \(result)", sourceLocation: sourceLocation)
            throw FixtureError.rejected
        }
        return events
    }
}

enum FixtureError: Error { case rejected }

func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)!
}

extension Result where Success == [SubjectEvents], Failure == BookingRejection {
    var rejection: BookingRejection? {
        if case .failure(let rejection) = self { return rejection }
        return nil
    }

    var events: [SubjectEvents]? {
        if case .success(let events) = self { return events }
        return nil
    }
}

/// A Zürich test site open every day 08:00–18:00 with one building and floor: two desks (one
/// desk a day per person), a room (6 seats, 10 minutes cleaning after), a parking space for the
/// `execs` group, and an appointment service (30 minutes, 10 minutes after, 2 in parallel).
enum Fixture {
    static let ada = Principal(personId: "ada", roles: [.booker])
    static let bob = Principal(personId: "bob", roles: [.booker])
    static let executive = Principal(personId: "eve", roles: [.booker], groups: ["execs"])
    static let admin = Principal(personId: "root", roles: [.admin])
    static let automation = Principal(personId: "flow-runtime", roles: [.system])

    static let site: SiteID = "zh"
    static let policy = BookingPolicy(slotGranularityMinutes: 15, minimumDurationMinutes: 30, maximumDurationMinutes: 600,
                                      minimumNoticeToBookMinutes: 0, minimumNoticeToChangeMinutes: 60, maximumAdvanceDays: 30,
                                      checkInOpensMinutesBeforeStart: 15, checkInClosesMinutesAfterStart: 30)

    static func everyDay(_ opens: String = "08:00", _ closes: String = "18:00") -> [OpeningInterval] {
        Weekday.allCases.map { OpeningInterval(weekday: $0, opens: TimeOfDay(opens)!, closes: TimeOfDay(closes)!) }
    }

    static func siteCommands(siteId: SiteID = site, timeZone: String = "Europe/Zurich", hours: [OpeningInterval] = everyDay()) -> [BookingCommand] {
        [
            .createSite(CreateSite(idempotencyKey: "s1", siteId: siteId, name: "Zürich", country: "CH", timeZone: timeZone,
                                   openingHours: hours, policy: policy)),
            .addBuilding(AddBuilding(idempotencyKey: "s2", siteId: siteId, buildingId: "b1", name: "Main")),
            .addFloor(AddFloor(idempotencyKey: "s3", siteId: siteId, buildingId: "b1", floorId: "f1", name: "Ground", level: 0)),
            .defineGroup(DefineGroup(idempotencyKey: "s4", siteId: siteId, groupId: "execs", name: "Executives")),
            .addResource(AddResource(idempotencyKey: "s5", siteId: siteId, resource: ResourceDefinition(
                resourceId: "desk-1", floorId: "f1", name: "Desk 1", kind: .desk, attributes: ["monitor"],
                policyOverride: PolicyOverride(maximumBookingsPerDay: 1)))),
            .addResource(AddResource(idempotencyKey: "s6", siteId: siteId, resource: ResourceDefinition(
                resourceId: "desk-2", floorId: "f1", name: "Desk 2", kind: .desk, policyOverride: PolicyOverride(maximumBookingsPerDay: 1)))),
            .addResource(AddResource(idempotencyKey: "s7", siteId: siteId, resource: ResourceDefinition(
                resourceId: "room-1", floorId: "f1", name: "Room 1", kind: .room, seats: 6, policyOverride: PolicyOverride(bufferAfterMinutes: 10)))),
            .addResource(AddResource(idempotencyKey: "s8", siteId: siteId, resource: ResourceDefinition(
                resourceId: "park-1", floorId: "f1", name: "Parking 1", kind: .parkingSpace, restrictedToGroups: ["execs"]))),
            .addResource(AddResource(idempotencyKey: "s9", siteId: siteId, resource: ResourceDefinition(
                resourceId: "help", floorId: "f1", name: "IT help", kind: .appointmentService, appointmentDurationMinutes: 30,
                policyOverride: PolicyOverride(bufferAfterMinutes: 10, capacity: 2)))),
        ]
    }

    /// The site's events, made by deciding its admin commands (so they are events decide can emit).
    static func history(of commands: [BookingCommand]) -> [SubjectEvents] {
        var context = DecisionContext(actor: admin, now: utc("2026-01-01T00:00:00Z"))
        var history: [SubjectEvents] = []
        for command in commands {
            guard case .success(let events) = BookingDecider.decide(command, context) else {
                fatalError("fixture command refused: \(BookingDecider.decide(command, context))")
            }
            history += events
            context = BookingDecider.evolve(context, with: events)
        }
        return history
    }

    static let catalog = history(of: siteCommands())

    static func place(_ bookingId: BookingID, _ resourceId: ResourceID, _ start: String, _ end: String,
                      attendees: Int = 1, siteId: SiteID = site) -> BookingCommand {
        .place(PlaceBooking(idempotencyKey: "k-" + bookingId.replacingOccurrences(of: " ", with: "_"), bookingId: bookingId, siteId: siteId, resourceId: resourceId,
                            start: utc(start), end: utc(end), attendees: attendees, bookerTimeZone: "Europe/Zurich"))
    }
}
