import Foundation

/// Every event of the booking domain, as one type so `decide` and `evolve` are exhaustive.
/// The stored form is the wrapped struct (see `payload`).
public enum BookingEvent: Equatable, Sendable {
    case siteCreated(SiteCreated)
    case siteOpeningHoursSet(SiteOpeningHoursSet)
    case siteClosureAdded(SiteClosureAdded)
    case siteClosureRemoved(SiteClosureRemoved)
    case sitePolicySet(SitePolicySet)
    case buildingAdded(BuildingAdded)
    case floorAdded(FloorAdded)
    case resourceAdded(ResourceAdded)
    case resourceUpdated(ResourceUpdated)
    case resourceRemoved(ResourceRemoved)
    case resourcePolicySet(ResourcePolicySet)
    case groupDefined(GroupDefined)
    case resourceRestricted(ResourceRestricted)

    case bookingPlaced(BookingPlaced)
    case bookingCancelled(BookingCancelled)
    case bookingRescheduled(BookingRescheduled)
    case bookingMovedOut(BookingMovedOut)
    case bookingMovedIn(BookingMovedIn)
    case bookingCheckedIn(BookingCheckedIn)
    case bookingReleasedAsNoShow(BookingReleasedAsNoShow)

    case personBookingAdded(PersonBookingAdded)
    case personBookingChanged(PersonBookingChanged)
    case personBookingRemoved(PersonBookingRemoved)
    case favouriteAdded(FavouriteAdded)
    case favouriteRemoved(FavouriteRemoved)

    /// The plain struct inside, for an event store that works with registered types.
    public var payload: any Codable & Sendable {
        switch self {
        case .siteCreated(let event): event
        case .siteOpeningHoursSet(let event): event
        case .siteClosureAdded(let event): event
        case .siteClosureRemoved(let event): event
        case .sitePolicySet(let event): event
        case .buildingAdded(let event): event
        case .floorAdded(let event): event
        case .resourceAdded(let event): event
        case .resourceUpdated(let event): event
        case .resourceRemoved(let event): event
        case .resourcePolicySet(let event): event
        case .groupDefined(let event): event
        case .resourceRestricted(let event): event
        case .bookingPlaced(let event): event
        case .bookingCancelled(let event): event
        case .bookingRescheduled(let event): event
        case .bookingMovedOut(let event): event
        case .bookingMovedIn(let event): event
        case .bookingCheckedIn(let event): event
        case .bookingReleasedAsNoShow(let event): event
        case .personBookingAdded(let event): event
        case .personBookingChanged(let event): event
        case .personBookingRemoved(let event): event
        case .favouriteAdded(let event): event
        case .favouriteRemoved(let event): event
        }
    }

    /// Wraps a decoded struct; `nil` for anything that is not a booking-domain event.
    public init?(payload: any Sendable) {
        // Each case is a dynamic cast tried in order: the events of every booking come first,
        // the rare catalog ones last (a projector or a rebuild wraps millions).
        switch payload {
        case let event as BookingPlaced: self = .bookingPlaced(event)
        case let event as BookingCancelled: self = .bookingCancelled(event)
        case let event as BookingRescheduled: self = .bookingRescheduled(event)
        case let event as BookingMovedOut: self = .bookingMovedOut(event)
        case let event as BookingMovedIn: self = .bookingMovedIn(event)
        case let event as BookingCheckedIn: self = .bookingCheckedIn(event)
        case let event as BookingReleasedAsNoShow: self = .bookingReleasedAsNoShow(event)
        case let event as PersonBookingAdded: self = .personBookingAdded(event)
        case let event as PersonBookingChanged: self = .personBookingChanged(event)
        case let event as PersonBookingRemoved: self = .personBookingRemoved(event)
        case let event as SiteCreated: self = .siteCreated(event)
        case let event as SiteOpeningHoursSet: self = .siteOpeningHoursSet(event)
        case let event as SiteClosureAdded: self = .siteClosureAdded(event)
        case let event as SiteClosureRemoved: self = .siteClosureRemoved(event)
        case let event as SitePolicySet: self = .sitePolicySet(event)
        case let event as BuildingAdded: self = .buildingAdded(event)
        case let event as FloorAdded: self = .floorAdded(event)
        case let event as ResourceAdded: self = .resourceAdded(event)
        case let event as ResourceUpdated: self = .resourceUpdated(event)
        case let event as ResourceRemoved: self = .resourceRemoved(event)
        case let event as ResourcePolicySet: self = .resourcePolicySet(event)
        case let event as GroupDefined: self = .groupDefined(event)
        case let event as ResourceRestricted: self = .resourceRestricted(event)
        case let event as FavouriteAdded: self = .favouriteAdded(event)
        case let event as FavouriteRemoved: self = .favouriteRemoved(event)
        default: return nil
        }
    }
}

/// Which aggregate (and so which subject) events belong to.
public enum AggregateRef: Hashable, Sendable, CustomStringConvertible {
    /// `bookings.site.<siteId>`: site configuration, buildings, floors, resources, policies, groups.
    case site(SiteID)
    /// `bookings.resource.<resourceId>`: the resource's bookings (occupancy).
    case resource(ResourceID)
    /// `bookings.person.<personId>`: a person's current bookings and favourites.
    case person(PersonID)

    public var description: String {
        switch self {
        case .site(let id): "site \(id)"
        case .resource(let id): "resource \(id)"
        case .person(let id): "person \(id)"
        }
    }
}

/// The events a decision appends to one aggregate. A decision over several aggregates returns
/// several of these, to be appended as ONE atomic batch with an expected sequence on each subject.
public struct SubjectEvents: Equatable, Sendable {
    public var aggregate: AggregateRef
    public var events: [BookingEvent]

    public init(_ aggregate: AggregateRef, _ events: [BookingEvent]) {
        self.aggregate = aggregate
        self.events = events
    }
}
