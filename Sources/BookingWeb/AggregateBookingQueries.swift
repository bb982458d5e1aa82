import AlmanacEvents
import Booking
import BookingService
import EventStore
import Foundation

/// `BookingQueries` answered from the booking aggregates, the way the command handler sees
/// them: exact and current (each cached state is used only while its subject's head has not
/// moved, so a query costs a head check per aggregate, and a tail read when it moved). A
/// stand-in until the PostgreSQL read models are wired in; the list of sites is the configured
/// one, since finding sites needs a projection.
public struct AggregateBookingQueries: BookingQueries {
    let aggregates: BookingAggregates
    let siteIds: [SiteID]

    public init(store: EventStore, siteIds: [SiteID]) {
        self.init(aggregates: BookingAggregates(store: store), siteIds: siteIds)
    }

    public init(aggregates: BookingAggregates, siteIds: [SiteID]) {
        self.aggregates = aggregates
        self.siteIds = siteIds
    }

    public func sites() async throws -> [SiteSummary] {
        var summaries: [SiteSummary] = []
        for id in siteIds {
            if let site = try await siteState(id).site { summaries.append(SiteSummary(site)) }
        }
        return summaries.sorted { $0.name < $1.name }
    }

    public func catalog(siteId: SiteID, kind: ResourceKind?, floorId: FloorID?) async throws -> SiteCatalog? {
        let state = try await siteState(siteId)
        guard let site = state.site else { return nil }
        return SiteCatalog(site, state, kind: kind, floorId: floorId)
    }

    public func availability(siteId: SiteID, date: LocalDate, days: Int, kind: ResourceKind?, floorId: FloorID?,
                             resourceId: ResourceID?, now: Date) async throws -> [ResourceAvailability]? {
        let state = try await siteState(siteId)
        guard state.site != nil else { return nil }
        let resources = state.resources.values
            .filter { (resourceId == nil || $0.resourceId == resourceId) && (kind == nil || $0.kind == kind) && (floorId == nil || $0.floorId == floorId) }
            .sorted { $0.resourceId < $1.resourceId }
        var result: [ResourceAvailability] = []
        for resource in resources {
            let occupancy = try await aggregates.resource(resource.resourceId)
            let free = Availability.freeSlots(resourceId: resource.resourceId, site: state, occupancy: occupancy, from: date, days: days, now: now)
            result.append(ResourceAvailability(resource: resource, freeSlots: free, fullyTaken: free.isEmpty))
        }
        return result
    }

    public func bookings(of personId: PersonID) async throws -> [PersonBooking] {
        let person = try await aggregates.person(personId)
        return person.bookings.values.sorted { ($0.start, $0.bookingId) < ($1.start, $1.bookingId) }
    }

    private func siteState(_ id: SiteID) async throws -> SiteState {
        try await aggregates.site(id)
    }
}
