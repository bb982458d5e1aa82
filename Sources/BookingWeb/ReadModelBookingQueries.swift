import Booking
import BookingReadModels
import Foundation

/// `BookingQueries` over the PostgreSQL booking read models. Availability runs the domain's
/// pure `Availability` on rows from the read model (site configuration, resources, bookings
/// that hold their slot), so what is offered follows the same rules `decide` applies.
public struct ReadModelBookingQueries: BookingQueries {
    let readModel: BookingReadModelQueries

    public init(_ readModel: BookingReadModelQueries) {
        self.readModel = readModel
    }

    public func sites() async throws -> [SiteSummary] {
        try await readModel.sites().map(SiteSummary.init)
    }

    public func site(_ siteId: SiteID) async throws -> SiteSummary? {
        try await readModel.site(siteId).map(SiteSummary.init)
    }

    public func catalog(siteId: SiteID, kind: ResourceKind?, floorId: FloorID?) async throws -> SiteCatalog? {
        guard let state = try await readModel.siteState(siteId), let site = state.site else { return nil }
        return SiteCatalog(site, state, kind: kind, floorId: floorId)
    }

    public func availability(siteId: SiteID, date: LocalDate, days: Int, kind: ResourceKind?, floorId: FloorID?,
                             resourceId: ResourceID?, now: Date) async throws -> [ResourceAvailability]? {
        guard let state = try await readModel.siteState(siteId), let site = state.site else { return nil }
        let resources = state.resources.values
            .filter { (resourceId == nil || $0.resourceId == resourceId) && (kind == nil || $0.kind == kind) && (floorId == nil || $0.floorId == floorId) }
            .sorted { $0.resourceId < $1.resourceId }
        guard !resources.isEmpty else { return [] }
        // A day on each side covers any buffer reaching into the period (buffers are minutes to hours).
        let clock = site.clock
        let from = clock.startOfDay(date.adding(days: -1)), to = clock.startOfDay(date.adding(days: days + 1))
        let occupancy = try await readModel.occupancy(resources: resources.map(\.resourceId), from: from, to: to)
        // Without bookings, a resource's free slots depend only on its kind, appointment length
        // and policy override (the site is the same): computed once per such shape, so a floor
        // of identical empty desks costs one computation, not one per desk.
        var emptySlots: [(shape: SlotShape, slots: [Availability.Slot])] = []
        return resources.map { resource in
            let free: [Availability.Slot]
            if let booked = occupancy[resource.resourceId] {
                free = Availability.freeSlots(resourceId: resource.resourceId, site: state, occupancy: booked, from: date, days: days, now: now)
            } else if let known = emptySlots.first(where: { $0.shape == SlotShape(resource) }) {
                free = known.slots
            } else {
                free = Availability.freeSlots(resourceId: resource.resourceId, site: state, occupancy: ResourceState(), from: date, days: days, now: now)
                emptySlots.append((SlotShape(resource), free))
            }
            return ResourceAvailability(resource: resource, freeSlots: free, fullyTaken: free.isEmpty)
        }
    }

    /// What, besides the site and the bookings, decides a resource's slots.
    struct SlotShape: Equatable {
        var kind: ResourceKind
        var appointmentDurationMinutes: Int?
        var policyOverride: PolicyOverride

        init(_ resource: ResourceDefinition) {
            kind = resource.kind
            appointmentDurationMinutes = resource.appointmentDurationMinutes
            policyOverride = resource.policyOverride
        }
    }

    public func bookings(of personId: PersonID, now: Date) async throws -> [MyBooking] {
        let rows = try await readModel.currentBookings(of: personId, endingAfter: now)
        guard !rows.isEmpty else { return [] }
        let zones = Dictionary(try await readModel.sites().map { ($0.siteId, $0.timeZone) }, uniquingKeysWith: { first, _ in first })
        return rows.compactMap { row in
            guard let kind = ResourceKind(rawValue: row.kind) else { return nil }
            // The site's day; a site missing from the catalog (cannot happen for a placed booking) falls back to UTC.
            let clock = zones[row.siteId].flatMap { SiteClock(timeZoneIdentifier: $0) } ?? SiteClock(timeZoneIdentifier: "UTC")!
            return MyBooking(bookingId: row.bookingId, resourceId: row.resourceId, siteId: row.siteId, kind: kind, start: row.start, end: row.end,
                             localDate: clock.localDate(of: row.start), status: row.status, attendees: row.attendees, bookerTimeZone: row.bookerTimeZone)
        }
    }
}

extension ReadModelBookingQueries {
    /// Booked minutes from `occupancy_by_day` (one row per resource and day), bookable minutes
    /// from the site's opening hours and closures, no-shows from `bookings`.
    public func utilisation(siteId: SiteID, period: UtilisationPeriod, now: Date) async throws -> SiteUtilisation? {
        guard let state = try await readModel.siteState(siteId), let site = state.site else { return nil }
        let clock = site.clock
        let days = period.days(today: clock.localDate(of: now))
        var openMinutes = 0
        var day = days.lowerBound
        while day <= days.upperBound {
            openMinutes += site.openIntervals(on: day).reduce(0) { $0 + Int($1.upperBound.timeIntervalSince($1.lowerBound) / 60) }
            day = day.adding(days: 1)
        }
        let booked = try await readModel.bookedUsage(site: siteId, from: days.lowerBound, through: days.upperBound)
        let noShows = try await readModel.noShowsReleased(site: siteId, from: clock.startOfDay(days.lowerBound),
                                                           to: clock.startOfDay(days.upperBound.adding(days: 1)))
        func usage(_ kind: ResourceKind) -> KindUtilisation {
            let resources = state.resources.values.filter { $0.kind == kind }.count
            let used = booked[kind.rawValue]
            return KindUtilisation(resources: resources, bookings: used?.bookings ?? 0, bookedMinutes: used?.bookedMinutes ?? 0,
                                   bookableMinutes: resources * openMinutes)
        }
        return SiteUtilisation(siteId: siteId, period: period.rawValue, from: days.lowerBound, through: days.upperBound, timeZone: site.timeZone,
                               desks: usage(.desk), rooms: usage(.room), parking: usage(.parkingSpace), noShowsReleased: noShows)
    }
}

extension SiteSummary {
    init(_ site: BookingReadModelQueries.Site) {
        self.init(siteId: site.siteId, name: site.name, country: site.country, timeZone: site.timeZone)
    }
}
