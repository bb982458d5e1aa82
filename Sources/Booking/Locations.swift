import Foundation

/// One opening interval on a weekday, in the site's wall clock (`closes` may be `24:00`).
public struct OpeningInterval: Codable, Equatable, Sendable {
    public var weekday: Weekday
    public var opens: TimeOfDay
    public var closes: TimeOfDay

    public init(weekday: Weekday, opens: TimeOfDay, closes: TimeOfDay) {
        self.weekday = weekday
        self.opens = opens
        self.closes = closes
    }
}

/// Days the site is closed (holidays, works), inclusive on both ends.
public struct Closure: Codable, Equatable, Sendable {
    public var closureId: ClosureID
    public var from: LocalDate
    public var through: LocalDate
    public var reason: String

    public init(closureId: ClosureID, from: LocalDate, through: LocalDate, reason: String) {
        self.closureId = closureId
        self.from = from
        self.through = through
        self.reason = reason
    }

    public func covers(_ date: LocalDate) -> Bool { from <= date && date <= through }
}

/// A site: the top of the location hierarchy, with the zone its clocks run in.
public struct SiteDefinition: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var name: String
    /// ISO 3166-1 alpha-2, e.g. `CH`.
    public var country: String
    /// IANA zone, e.g. `Europe/Zurich`.
    public var timeZone: String
    public var openingHours: [OpeningInterval]
    public var closures: [Closure]
    /// Policy for every resource of the site unless the resource overrides it.
    public var policy: BookingPolicy

    public var clock: SiteClock { SiteClock(timeZoneIdentifier: timeZone)! }

    /// The opening intervals of `date` as UTC instants; none on a closure day.
    public func openIntervals(on date: LocalDate) -> [Range<Date>] { openIntervals(on: date, clock: clock) }

    /// As `openIntervals(on:)`, with this site's clock already at hand (availability asks per candidate slot).
    func openIntervals(on date: LocalDate, clock: SiteClock) -> [Range<Date>] {
        guard !closures.contains(where: { $0.covers(date) }) else { return [] }
        return openingHours.filter { $0.weekday == date.weekday }.compactMap { interval in
            let opens = clock.boundary(on: date, at: interval.opens)
            let closes = clock.boundary(on: date, at: interval.closes)
            return opens < closes ? opens..<closes : nil
        }.sorted { $0.lowerBound < $1.lowerBound }
    }

    public init(siteId: SiteID, name: String, country: String, timeZone: String, openingHours: [OpeningInterval], closures: [Closure], policy: BookingPolicy) {
        self.siteId = siteId
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.openingHours = openingHours
        self.closures = closures
        self.policy = policy
    }
}

public struct BuildingDefinition: Codable, Equatable, Sendable {
    public var buildingId: BuildingID
    public var name: String

    public init(buildingId: BuildingID, name: String) {
        self.buildingId = buildingId
        self.name = name
    }
}

public struct FloorDefinition: Codable, Equatable, Sendable {
    public var floorId: FloorID
    public var buildingId: BuildingID
    public var name: String
    /// Storey number (0 = ground floor), for ordering.
    public var level: Int

    public init(floorId: FloorID, buildingId: BuildingID, name: String, level: Int) {
        self.floorId = floorId
        self.buildingId = buildingId
        self.name = name
        self.level = level
    }
}

public enum ResourceKind: String, Codable, CaseIterable, Sendable {
    case desk
    case parkingSpace = "parking_space"
    case room
    case appointmentService = "appointment_service"

    var displayName: String {
        switch self {
        case .desk: "desk"
        case .parkingSpace: "parking space"
        case .room: "room"
        case .appointmentService: "appointment"
        }
    }
}

/// A bookable thing on a floor.
public struct ResourceDefinition: Codable, Equatable, Sendable {
    public var resourceId: ResourceID
    public var floorId: FloorID
    public var name: String
    public var kind: ResourceKind
    /// Seats of a room: a booking's attendees must fit. `nil` for other kinds.
    public var seats: Int?
    /// Fixed length of an appointment service's appointments, in minutes.
    public var appointmentDurationMinutes: Int?
    /// Searchable features ("standing-desk", "monitor", "accessible", ...).
    public var attributes: [String]
    /// Only members of one of these groups may book it; empty means everyone.
    public var restrictedToGroups: [GroupID]
    /// Overrides the site's policy field by field.
    public var policyOverride: PolicyOverride

    public init(resourceId: ResourceID, floorId: FloorID, name: String, kind: ResourceKind, seats: Int? = nil,
                appointmentDurationMinutes: Int? = nil, attributes: [String] = [], restrictedToGroups: [GroupID] = [],
                policyOverride: PolicyOverride = PolicyOverride()) {
        self.resourceId = resourceId
        self.floorId = floorId
        self.name = name
        self.kind = kind
        self.seats = seats
        self.appointmentDurationMinutes = appointmentDurationMinutes
        self.attributes = attributes
        self.restrictedToGroups = restrictedToGroups
        self.policyOverride = policyOverride
    }
}

/// Named set of people (membership comes from the identity provider's `groups` claim).
public struct RestrictionGroup: Codable, Equatable, Sendable {
    public var groupId: GroupID
    public var name: String

    public init(groupId: GroupID, name: String) {
        self.groupId = groupId
        self.name = name
    }
}
