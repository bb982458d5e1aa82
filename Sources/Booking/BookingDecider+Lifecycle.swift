import Foundation

/// Changes to an existing booking: cancel, change time, move, check in, release as no-show.
extension BookingDecider {
    /// The booking, its site and resource, or why the command cannot touch it.
    struct Existing {
        let booking: ResourceBooking
        let site: SiteDefinition
        let siteState: SiteState
        let resource: ResourceDefinition?
        let rules: SlotRules?
        let policy: BookingPolicy
    }

    static func existing(_ bookingId: BookingID, on resourceId: ResourceID, _ context: DecisionContext,
                         ownerOnly: Bool) -> Result<Existing, BookingRejection> {
        for (value, field) in [(bookingId, "bookingId"), (resourceId, "resourceId")] {
            if let problem = Identifier.check(value, field: field) { return .failure(problem) }
        }
        guard let booking = context.resource(resourceId).bookings[bookingId] else { return .failure(.bookingNotFound(bookingId)) }
        let actor = context.actor
        if booking.personId != actor.personId {
            guard !ownerOnly, actor.isAdmin || actor.roles.contains(.system) else { return .failure(.notYourBooking) }
        }
        let siteState = context.site(booking.siteId)
        guard let site = siteState.site else { return .failure(.unknownSite(booking.siteId)) }
        // A removed resource keeps its bookings: they can still be cancelled, under the site's policy.
        let resource = siteState.resources[resourceId]
        let rules = resource.map { SlotRules(site: site, resource: $0) }
        return .success(Existing(booking: booking, site: site, siteState: siteState, resource: resource, rules: rules,
                                 policy: rules?.policy ?? site.policy))
    }

    static func cancel(_ command: CancelBooking, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        let found: Existing
        switch existing(command.bookingId, on: command.resourceId, context, ownerOnly: false) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let value): found = value
        }
        guard found.booking.status.after(.cancel) != nil else { return .failure(.bookingNotActive(status: found.booking.status)) }
        // Administrators may cancel late (e.g. an emergency closure); bookers keep to the notice.
        let notice = found.policy.minimumNoticeToChangeMinutes
        if !context.actor.isAdmin, context.now > found.booking.start.addingTimeInterval(TimeInterval(-notice * 60)) {
            return .failure(.tooLateToCancel(minimumMinutes: notice))
        }
        let cancelled = BookingCancelled(bookingId: command.bookingId, resourceId: command.resourceId,
                                         cancelledBy: context.actor.personId, reason: command.reason)
        return .success([SubjectEvents(.resource(command.resourceId), [.bookingCancelled(cancelled)]),
                         SubjectEvents(.person(found.booking.personId),
                                       [.personBookingRemoved(PersonBookingRemoved(personId: found.booking.personId, bookingId: command.bookingId))])])
    }

    static func changeTime(_ command: ChangeBookingTime, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        let found: Existing
        switch existing(command.bookingId, on: command.resourceId, context, ownerOnly: true) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let value): found = value
        }
        guard found.booking.status.after(.changeTime) != nil else { return .failure(.bookingNotActive(status: found.booking.status)) }
        guard let rules = found.rules else { return .failure(.unknownResource(command.resourceId)) }
        let notice = rules.policy.minimumNoticeToChangeMinutes
        if context.now > found.booking.start.addingTimeInterval(TimeInterval(-notice * 60)) {
            return .failure(.tooLateToChange(minimumMinutes: notice))
        }
        let resourceState = context.resource(command.resourceId)
        if let rejection = rules.checkShape(start: command.start, end: command.end)
            ?? rules.checkTiming(start: command.start, now: context.now)
            ?? rules.checkCapacity(start: command.start, end: command.end, in: resourceState, ignoring: command.bookingId) {
            return .failure(rejection)
        }
        let personId = found.booking.personId
        let localDate = rules.clock.localDate(of: command.start)
        if let rejection = checkPersonLimits(context.person(personId), policy: rules.policy, kind: found.booking.kind,
                                             siteId: found.site.siteId, localDate: localDate, now: context.now, ignoring: command.bookingId) {
            return .failure(rejection)
        }
        let rescheduled = BookingRescheduled(bookingId: command.bookingId, resourceId: command.resourceId, start: command.start, end: command.end)
        let changed = PersonBookingChanged(personId: personId, bookingId: command.bookingId, resourceId: command.resourceId,
                                           start: command.start, end: command.end, localDate: localDate)
        return .success([SubjectEvents(.resource(command.resourceId), [.bookingRescheduled(rescheduled)]),
                         SubjectEvents(.person(personId), [.personBookingChanged(changed)])])
    }

    static func move(_ command: MoveBooking, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        if let problem = Identifier.check(command.toResourceId, field: "toResourceId") { return .failure(problem) }
        let found: Existing
        switch existing(command.bookingId, on: command.fromResourceId, context, ownerOnly: true) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let value): found = value
        }
        let booking = found.booking
        guard command.toResourceId != command.fromResourceId else { return .failure(.sameResource) }
        guard booking.status.after(.moveAway) != nil else { return .failure(.bookingNotActive(status: booking.status)) }
        guard let target = found.siteState.resources[command.toResourceId] else {
            return .failure(context.sites.values.contains { $0.resources[command.toResourceId] != nil }
                ? .differentSite : .unknownResource(command.toResourceId))
        }
        // Same kind only: the person's limits count per kind, and a desk booking is no room booking.
        guard target.kind == booking.kind else { return .failure(.differentKind(from: booking.kind, to: target.kind)) }
        let notice = found.policy.minimumNoticeToChangeMinutes
        if context.now > booking.start.addingTimeInterval(TimeInterval(-notice * 60)) {
            return .failure(.tooLateToChange(minimumMinutes: notice))
        }
        if let rejection = checkAllowed(context.actor, target, found.siteState) { return .failure(rejection) }
        if let seats = target.seats, booking.attendees > seats { return .failure(.tooManyAttendees(seats: seats)) }
        let rules = SlotRules(site: found.site, resource: target)
        let targetState = context.resource(command.toResourceId)
        if targetState.bookings[command.bookingId] != nil { return .failure(.bookingAlreadyExists(command.bookingId)) }
        if let rejection = rules.checkShape(start: booking.start, end: booking.end)
            ?? rules.checkTiming(start: booking.start, now: context.now)
            ?? rules.checkCapacity(start: booking.start, end: booking.end, in: targetState) {
            return .failure(rejection)
        }
        // Same kind, site and times: the person's limits are what they were.
        let localDate = rules.clock.localDate(of: booking.start)
        let movedOut = BookingMovedOut(bookingId: booking.bookingId, resourceId: command.fromResourceId, toResourceId: command.toResourceId)
        let movedIn = BookingMovedIn(bookingId: booking.bookingId, resourceId: command.toResourceId, fromResourceId: command.fromResourceId,
                                     siteId: booking.siteId, personId: booking.personId, kind: target.kind, start: booking.start,
                                     end: booking.end, attendees: booking.attendees, bookerTimeZone: booking.bookerTimeZone)
        let changed = PersonBookingChanged(personId: booking.personId, bookingId: booking.bookingId, resourceId: command.toResourceId,
                                           start: booking.start, end: booking.end, localDate: localDate)
        return .success([SubjectEvents(.resource(command.fromResourceId), [.bookingMovedOut(movedOut)]),
                         SubjectEvents(.resource(command.toResourceId), [.bookingMovedIn(movedIn)]),
                         SubjectEvents(.person(booking.personId), [.personBookingChanged(changed)])])
    }

    static func checkIn(_ command: CheckIn, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        let found: Existing
        switch existing(command.bookingId, on: command.resourceId, context, ownerOnly: true) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let value): found = value
        }
        guard found.booking.status.after(.checkIn) != nil else { return .failure(.bookingNotActive(status: found.booking.status)) }
        let opens = found.booking.start.addingTimeInterval(TimeInterval(-found.policy.checkInOpensMinutesBeforeStart * 60))
        let closes = found.booking.start.addingTimeInterval(TimeInterval(found.policy.checkInClosesMinutesAfterStart * 60))
        if context.now < opens { return .failure(.checkInNotOpenYet(opensAt: opens)) }
        if context.now > closes || context.now >= found.booking.end { return .failure(.checkInClosed) }
        let checkedIn = BookingCheckedIn(bookingId: command.bookingId, resourceId: command.resourceId, checkedInAt: context.now)
        return .success([SubjectEvents(.resource(command.resourceId), [.bookingCheckedIn(checkedIn)])])
    }

    static func releaseNoShow(_ command: ReleaseNoShow, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        guard context.actor.isAdmin || context.actor.roles.contains(.system) else {
            return .failure(.notAllowed(reason: "only administrators and automations release no-shows"))
        }
        let found: Existing
        switch existing(command.bookingId, on: command.resourceId, context, ownerOnly: false) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let value): found = value
        }
        guard found.booking.status.after(.releaseNoShow) != nil else { return .failure(.bookingNotActive(status: found.booking.status)) }
        let closes = found.booking.start.addingTimeInterval(TimeInterval(found.policy.checkInClosesMinutesAfterStart * 60))
        if context.now <= closes { return .failure(.checkInStillOpen(closesAt: closes)) }
        let released = BookingReleasedAsNoShow(bookingId: command.bookingId, resourceId: command.resourceId, releasedBy: context.actor.personId)
        let personId = found.booking.personId
        return .success([SubjectEvents(.resource(command.resourceId), [.bookingReleasedAsNoShow(released)]),
                         SubjectEvents(.person(personId), [.personBookingRemoved(PersonBookingRemoved(personId: personId, bookingId: command.bookingId))])])
    }

    static func addFavourite(_ command: AddFavourite, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        switch catalog(command.siteId, command.resourceId, context) {
        case .failure(let rejection): return .failure(rejection)
        case .success: break
        }
        let personId = context.actor.personId
        // Already a favourite: nothing to record (the answer is still success).
        guard context.person(personId).favourites[command.resourceId] == nil else { return .success([]) }
        return .success([SubjectEvents(.person(personId), [.favouriteAdded(FavouriteAdded(personId: personId, siteId: command.siteId, resourceId: command.resourceId))])])
    }

    static func removeFavourite(_ command: RemoveFavourite, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        if let problem = Identifier.check(command.resourceId, field: "resourceId") { return .failure(problem) }
        let personId = context.actor.personId
        guard context.person(personId).favourites[command.resourceId] != nil else { return .success([]) }
        return .success([SubjectEvents(.person(personId), [.favouriteRemoved(FavouriteRemoved(personId: personId, resourceId: command.resourceId))])])
    }
}
