import AlmanacEvents
import Booking
import EventStore
import Foundation

/// `BookingQueries` answered by folding the aggregates' subjects (site, resources, person)
/// with the domain's `evolve`, the way the command handler sees them: exact and current, but
/// a read per aggregate per query. A stand-in until the PostgreSQL read models land; the list
/// of sites is the configured one, since finding sites needs a projection.
public struct AggregateBookingQueries: BookingQueries {
    let store: EventStore
    let siteIds: [SiteID]

    public init(store: EventStore, siteIds: [SiteID]) {
        self.store = store
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
            let occupancy = try await fold(try BookingSubjects.resource(resource.resourceId), ResourceState())
            let free = Availability.freeSlots(resourceId: resource.resourceId, site: state, occupancy: occupancy, from: date, days: days, now: now)
            result.append(ResourceAvailability(resource: resource, freeSlots: free, fullyTaken: free.isEmpty))
        }
        return result
    }

    public func bookings(of personId: PersonID) async throws -> [PersonBooking] {
        let person = try await fold(try BookingSubjects.person(personId), PersonState())
        return person.bookings.values.sorted { ($0.start, $0.bookingId) < ($1.start, $1.bookingId) }
    }

    private func siteState(_ id: SiteID) async throws -> SiteState {
        try await fold(try BookingSubjects.site(id), SiteState())
    }

    private func fold<State>(_ subject: String, _ initial: State) async throws -> State where State: BookingEvolving {
        try await store.read(subject: subject).reduce(initial) { state, recorded in
            BookingEvent(payload: recorded.event).map(state.evolve) ?? state
        }
    }
}

/// The aggregate states `evolve` the same way.
protocol BookingEvolving {
    func evolve(_ event: BookingEvent) -> Self
}

extension SiteState: BookingEvolving {}
extension ResourceState: BookingEvolving {}
extension PersonState: BookingEvolving {}
