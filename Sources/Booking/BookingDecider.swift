import Foundation

/// The pure heart of booking: `decide(command, context)` returns the events per aggregate (to be
/// appended as one atomic batch, each subject at the sequence its state was loaded from) or a
/// typed rejection; `evolve` folds events into state.
public enum BookingDecider {
    public static func decide(_ command: BookingCommand, _ context: DecisionContext) -> Result<[SubjectEvents], BookingRejection> {
        // The key becomes a `Nats-Msg-Id` header value: any printable text, bounded.
        let key = command.idempotencyKey
        if key.isEmpty || key.utf8.count > 128 || key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            return .failure(.invalidInput(field: "idempotencyKey", reason: "must be 1 to 128 characters without spaces"))
        }
        // The acting person's id becomes `bookings.person.<id>`.
        if let problem = Identifier.check(context.actor.personId, field: "personId") { return .failure(problem) }
        if command.adminSiteId != nil, !context.actor.isAdmin {
            return .failure(.notAllowed(reason: "only administrators can change sites and resources"))
        }
        switch command {
        case .place(let command): return place(command, context)
        case .cancel(let command): return cancel(command, context)
        case .changeTime(let command): return changeTime(command, context)
        case .move(let command): return move(command, context)
        case .checkIn(let command): return checkIn(command, context)
        case .releaseNoShow(let command): return releaseNoShow(command, context)
        case .addFavourite(let command): return addFavourite(command, context)
        case .removeFavourite(let command): return removeFavourite(command, context)
        case .createSite(let command): return createSite(command, context)
        case .setOpeningHours(let command): return setOpeningHours(command, context)
        case .addClosure(let command): return addClosure(command, context)
        case .removeClosure(let command): return removeClosure(command, context)
        case .setSitePolicy(let command): return setSitePolicy(command, context)
        case .addBuilding(let command): return addBuilding(command, context)
        case .addFloor(let command): return addFloor(command, context)
        case .addResource(let command): return addResource(command, context)
        case .updateResource(let command): return updateResource(command, context)
        case .removeResource(let command): return removeResource(command, context)
        case .setResourcePolicy(let command): return setResourcePolicy(command, context)
        case .defineGroup(let command): return defineGroup(command, context)
        case .restrictResource(let command): return restrictResource(command, context)
        }
    }

    /// Aggregates `decide` needs for `command` that `context` does not hold yet. Some depend on
    /// loaded state (cancelling needs the booking's person and site, known from its resource), so
    /// a handler loads what this names and asks again until it names nothing.
    public static func missingAggregates(for command: BookingCommand, in context: DecisionContext) -> [AggregateRef] {
        var needed: [AggregateRef] = []
        func bookingOwnerAndSite(_ bookingId: BookingID, on resourceId: ResourceID) {
            guard let booking = context.resources[resourceId]?.bookings[bookingId] else { return }
            needed += [.person(booking.personId), .site(booking.siteId)]
        }
        switch command {
        case .place(let command):
            needed = [.site(command.siteId), .resource(command.resourceId), .person(context.actor.personId)]
        case .cancel(let command):
            needed = [.resource(command.resourceId)]
            bookingOwnerAndSite(command.bookingId, on: command.resourceId)
        case .changeTime(let command):
            needed = [.resource(command.resourceId)]
            bookingOwnerAndSite(command.bookingId, on: command.resourceId)
        case .move(let command):
            needed = [.resource(command.fromResourceId), .resource(command.toResourceId)]
            bookingOwnerAndSite(command.bookingId, on: command.fromResourceId)
        case .checkIn(let command):
            needed = [.resource(command.resourceId)]
            bookingOwnerAndSite(command.bookingId, on: command.resourceId)
        case .releaseNoShow(let command):
            needed = [.resource(command.resourceId)]
            bookingOwnerAndSite(command.bookingId, on: command.resourceId)
        case .addFavourite(let command):
            needed = [.site(command.siteId), .person(context.actor.personId)]
        case .removeFavourite:
            needed = [.person(context.actor.personId)]
        default:
            needed = command.adminSiteId.map { [.site($0)] } ?? []
        }
        return needed.filter { aggregate in
            switch aggregate {
            case .site(let id): context.sites[id] == nil
            case .resource(let id): context.resources[id] == nil
            case .person(let id): context.persons[id] == nil
            }
        }
    }

    /// Folds `events` into `context`'s states (what a handler does after an append, and what a
    /// Given/When/Then test does with its givens).
    public static func evolve(_ context: DecisionContext, with batches: [SubjectEvents]) -> DecisionContext {
        var context = context
        for batch in batches {
            for event in batch.events {
                switch batch.aggregate {
                case .site(let id): context.sites[id] = context.site(id).evolve(event)
                case .resource(let id): context.resources[id] = context.resource(id).evolve(event)
                case .person(let id): context.persons[id] = context.person(id).evolve(event)
                }
            }
        }
        return context
    }

    /// The site and resource definition a booking command needs, or why they are not there.
    static func catalog(_ siteId: SiteID, _ resourceId: ResourceID, _ context: DecisionContext)
        -> Result<(SiteDefinition, ResourceDefinition, SiteState), BookingRejection> {
        let state = context.site(siteId)
        guard let site = state.site else { return .failure(.unknownSite(siteId)) }
        guard let resource = state.resources[resourceId] else { return .failure(.unknownResource(resourceId)) }
        return .success((site, resource, state))
    }

    /// Restriction groups: a restricted resource is for members of one of its groups only.
    static func checkAllowed(_ actor: Principal, _ resource: ResourceDefinition, _ site: SiteState) -> BookingRejection? {
        guard !resource.restrictedToGroups.isEmpty else { return nil }
        if resource.restrictedToGroups.contains(where: actor.groups.contains) { return nil }
        let names = resource.restrictedToGroups.map { site.groups[$0]?.name ?? $0 }.joined(separator: ", ")
        return .notAllowed(reason: "\(resource.name) is reserved for members of \(names)")
    }

    /// Per-person limits from the person's own aggregate. `ignoring` is the booking being changed.
    static func checkPersonLimits(_ person: PersonState, policy: BookingPolicy, kind: ResourceKind, siteId: SiteID,
                                  localDate: LocalDate, now: Date, ignoring: BookingID? = nil) -> BookingRejection? {
        let others = person.bookings.values.filter { $0.bookingId != ignoring }
        if let limit = policy.maximumBookingsPerDay {
            // Ended bookings of the day count too: "one desk a day" means the whole day.
            let sameDay = others.filter { $0.kind == kind && $0.siteId == siteId && $0.localDate == localDate }
            if sameDay.count >= limit { return .dailyLimitReached(kind: kind, limit: limit) }
        }
        if let limit = policy.maximumFutureBookings {
            if others.filter({ $0.end > now }).count >= limit { return .futureBookingsLimitReached(limit: limit) }
        }
        return nil
    }
}
