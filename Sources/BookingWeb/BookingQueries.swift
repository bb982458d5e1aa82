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
    /// How much of a site's bookable time was booked over `period` (site-local days, the period
    /// taken at `now`), per kind; nil when there is no such site.
    func utilisation(siteId: SiteID, period: UtilisationPeriod, now: Date) async throws -> SiteUtilisation?
}

/// The days a utilisation report covers, in the site's time zone.
public enum UtilisationPeriod: String, Sendable, CaseIterable {
    /// Monday to Sunday of the week before the one `now` falls in.
    case lastWeek = "last-week"

    /// The first and last day of the period around `today`.
    public func days(today: LocalDate) -> ClosedRange<LocalDate> {
        switch self {
        case .lastWeek:
            let monday = today.adding(days: -(Weekday.allCases.firstIndex(of: today.weekday) ?? 0))
            return monday.adding(days: -7)...monday.adding(days: -1)
        }
    }
}

/// What `GET /api/sites/{siteId}/utilisation` answers (the weekly report flow reads
/// `desks.percent`, `rooms.percent`, `parking.percent` and `noShowsReleased`).
public struct SiteUtilisation: Codable, Sendable, Equatable {
    public var siteId: SiteID
    public var period: String
    public var from: LocalDate
    public var through: LocalDate
    public var timeZone: String
    public var desks: KindUtilisation
    public var rooms: KindUtilisation
    public var parking: KindUtilisation
    /// Bookings released as no-shows that were to start in the period.
    public var noShowsReleased: Int
}

/// One kind of resource over the period: booked hours of slot-holding bookings (by the day they
/// start) against the hours the site was open times the resources of that kind.
public struct KindUtilisation: Codable, Sendable, Equatable {
    public var resources: Int
    public var bookings: Int
    public var bookedHours: Double
    public var bookableHours: Double
    /// `bookedHours / bookableHours` in percent with one decimal; 0 when nothing was bookable.
    public var percent: Double

    public init(resources: Int, bookings: Int, bookedMinutes: Int, bookableMinutes: Int) {
        self.resources = resources
        self.bookings = bookings
        bookedHours = (Double(bookedMinutes) / 6).rounded() / 10
        bookableHours = (Double(bookableMinutes) / 6).rounded() / 10
        percent = bookableMinutes > 0 ? (Double(bookedMinutes) * 1_000 / Double(bookableMinutes)).rounded() / 10 : 0
    }
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
