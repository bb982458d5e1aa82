import Booking
import Foundation

/// What the booking page and the query endpoints read: the PostgreSQL read models
/// (`ReadModelBookingQueries`), never the aggregates — decisions stay with the command handler.
public protocol BookingQueries: Sendable {
    /// Every site, by name.
    func sites() async throws -> [SiteSummary]
    /// One site, or nil when there is no such site.
    func site(_ siteId: SiteID) async throws -> SiteSummary?
    /// A site's buildings, floors and resources (optionally one kind or floor), or nil when
    /// there is no such site.
    func catalog(siteId: SiteID, kind: ResourceKind?, floorId: FloorID?) async throws -> SiteCatalog?
    /// Free slots per resource over `days` site-local days from `date` (a resource, or every
    /// resource of a kind, optionally on one floor); nil when there is no such site.
    func availability(siteId: SiteID, date: LocalDate, days: Int, kind: ResourceKind?, floorId: FloorID?,
                      resourceId: ResourceID?, now: Date) async throws -> [ResourceAvailability]?
    /// The person's bookings that still hold their slot and have not ended at `now`, soonest first.
    func bookings(of personId: PersonID, now: Date) async throws -> [MyBooking]
}

public struct SiteSummary: Codable, Sendable, Equatable {
    public var siteId: SiteID
    public var name: String
    public var country: String
    public var timeZone: String
}

public struct SiteCatalog: Codable, Sendable, Equatable {
    public var site: SiteSummary
    public var buildings: [BuildingDefinition]
    public var floors: [FloorDefinition]
    public var resources: [ResourceDefinition]
}

public struct ResourceAvailability: Codable, Sendable, Equatable {
    public var resource: ResourceDefinition
    public var freeSlots: [Availability.Slot]
    /// Nothing left to book in the period.
    public var fullyTaken: Bool
}

/// One of my bookings as the page lists it.
public struct MyBooking: Codable, Sendable, Equatable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var siteId: SiteID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    /// The site-local day the booking starts on.
    public var localDate: LocalDate
    /// `placed` or `checked_in`.
    public var status: String
    public var attendees: Int
    public var bookerTimeZone: String
}

extension SiteCatalog {
    init(_ site: SiteDefinition, _ state: SiteState, kind: ResourceKind?, floorId: FloorID?) {
        self.site = SiteSummary(site)
        buildings = state.buildings.values.sorted { $0.buildingId < $1.buildingId }
        floors = state.floors.values.sorted { ($0.buildingId, $0.level) < ($1.buildingId, $1.level) }
        resources = state.resources.values
            .filter { (kind == nil || $0.kind == kind) && (floorId == nil || $0.floorId == floorId) }
            .sorted { $0.resourceId < $1.resourceId }
    }
}

extension SiteSummary {
    init(_ site: SiteDefinition) {
        self.init(siteId: site.siteId, name: site.name, country: site.country, timeZone: site.timeZone)
    }
}
