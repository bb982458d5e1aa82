import Foundation

extension BookingDecider {
    static func place(_ command: PlaceBooking, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        for (value, field) in [(command.bookingId, "bookingId"), (command.siteId, "siteId"), (command.resourceId, "resourceId")] {
            if let problem = Identifier.check(value, field: field) { return .failure(problem) }
        }
        guard context.actor.mayBook else { return .failure(.notAllowed(reason: "your role cannot book")) }
        guard TimeZone(identifier: command.bookerTimeZone) != nil else {
            return .failure(.invalidInput(field: "bookerTimeZone", reason: "is not a known IANA time zone"))
        }
        guard command.attendees >= 1 else { return .failure(.invalidInput(field: "attendees", reason: "must be at least 1")) }
        let site: SiteDefinition, resource: ResourceDefinition, siteState: SiteState
        switch catalog(command.siteId, command.resourceId, context) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let found): (site, resource, siteState) = found
        }
        if let rejection = checkAllowed(context.actor, resource, siteState) { return .failure(rejection) }
        if let seats = resource.seats, command.attendees > seats { return .failure(.tooManyAttendees(seats: seats)) }
        let resourceState = context.resource(command.resourceId)
        if resourceState.bookings[command.bookingId] != nil { return .failure(.bookingAlreadyExists(command.bookingId)) }

        let rules = SlotRules(site: site, resource: resource)
        if let rejection = rules.checkShape(start: command.start, end: command.end)
            ?? rules.checkTiming(start: command.start, now: context.now)
            ?? rules.checkCapacity(start: command.start, end: command.end, in: resourceState) {
            return .failure(rejection)
        }
        let personId = context.actor.personId
        let localDate = rules.clock.localDate(of: command.start)
        if let rejection = checkPersonLimits(context.person(personId), policy: rules.policy, kind: resource.kind,
                                             siteId: site.siteId, localDate: localDate, now: context.now) {
            return .failure(rejection)
        }
        let placed = BookingPlaced(bookingId: command.bookingId, resourceId: command.resourceId, siteId: site.siteId,
                                   personId: personId, kind: resource.kind, start: command.start, end: command.end,
                                   attendees: command.attendees, bookerTimeZone: command.bookerTimeZone, contact: command.contact)
        let added = PersonBookingAdded(personId: personId, bookingId: command.bookingId, resourceId: command.resourceId,
                                       siteId: site.siteId, kind: resource.kind, start: command.start, end: command.end,
                                       localDate: localDate)
        return .success([SubjectEvents(.resource(command.resourceId), [.bookingPlaced(placed)]),
                         SubjectEvents(.person(personId), [.personBookingAdded(added)])])
    }
}
