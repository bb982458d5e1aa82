import Foundation

// States are Codable so a handler can keep snapshots (state + the subject sequence it reflects).

/// The catalog of one site: its configuration, buildings, floors, resources and groups.
public struct SiteState: Codable, Equatable, Sendable {
    /// `nil` until `site.created`.
    public var site: SiteDefinition?
    public var buildings: [BuildingID: BuildingDefinition] = [:]
    public var floors: [FloorID: FloorDefinition] = [:]
    /// Resources that can be booked (removed ones are gone from here).
    public var resources: [ResourceID: ResourceDefinition] = [:]
    public var groups: [GroupID: RestrictionGroup] = [:]

    public init() {}

    /// The policy that applies to `resource`: the site's, with the resource's override.
    public func policy(for resource: ResourceDefinition) -> BookingPolicy? {
        site.map { resource.policyOverride.applied(to: $0.policy) }
    }

    public func evolve(_ event: BookingEvent) -> SiteState {
        var state = self
        switch event {
        case .siteCreated(let event):
            state.site = SiteDefinition(siteId: event.siteId, name: event.name, country: event.country, timeZone: event.timeZone,
                                        openingHours: event.openingHours, closures: [], policy: event.policy)
        case .siteOpeningHoursSet(let event):
            state.site?.openingHours = event.openingHours
        case .siteClosureAdded(let event):
            state.site?.closures.append(event.closure)
        case .siteClosureRemoved(let event):
            state.site?.closures.removeAll { $0.closureId == event.closureId }
        case .sitePolicySet(let event):
            state.site?.policy = event.policy
        case .buildingAdded(let event):
            state.buildings[event.buildingId] = BuildingDefinition(buildingId: event.buildingId, name: event.name)
        case .floorAdded(let event):
            state.floors[event.floorId] = FloorDefinition(floorId: event.floorId, buildingId: event.buildingId, name: event.name, level: event.level)
        case .resourceAdded(let event):
            state.resources[event.resource.resourceId] = event.resource
        case .resourceUpdated(let event):
            state.resources[event.resourceId]?.name = event.name
            state.resources[event.resourceId]?.attributes = event.attributes
        case .resourceRemoved(let event):
            state.resources[event.resourceId] = nil
        case .resourcePolicySet(let event):
            state.resources[event.resourceId]?.policyOverride = event.policyOverride
        case .groupDefined(let event):
            state.groups[event.groupId] = RestrictionGroup(groupId: event.groupId, name: event.name)
        case .resourceRestricted(let event):
            state.resources[event.resourceId]?.restrictedToGroups = event.groupIds
        default:
            break
        }
        return state
    }
}

/// One booking as its resource knows it.
public struct ResourceBooking: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var siteId: SiteID
    public var personId: PersonID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    public var attendees: Int
    public var bookerTimeZone: String
    public var status: BookingStatus
    public var checkedInAt: Date?
}

/// The bookings of one resource: what decides "is this time free".
public struct ResourceState: Codable, Equatable, Sendable {
    public var bookings: [BookingID: ResourceBooking] = [:]

    public init() {}

    /// Bookings that still hold their slot, earliest first.
    public var activeBookings: [ResourceBooking] {
        bookings.values.filter { $0.status.holdsSlot }.sorted { ($0.start, $0.bookingId) < ($1.start, $1.bookingId) }
    }

    public func evolve(_ event: BookingEvent) -> ResourceState {
        var state = self
        switch event {
        case .bookingPlaced(let event):
            state.bookings[event.bookingId] = ResourceBooking(
                bookingId: event.bookingId, siteId: event.siteId, personId: event.personId, kind: event.kind,
                start: event.start, end: event.end, attendees: event.attendees, bookerTimeZone: event.bookerTimeZone, status: .placed)
        case .bookingMovedIn(let event):
            state.bookings[event.bookingId] = ResourceBooking(
                bookingId: event.bookingId, siteId: event.siteId, personId: event.personId, kind: event.kind,
                start: event.start, end: event.end, attendees: event.attendees, bookerTimeZone: event.bookerTimeZone, status: .placed)
        case .bookingCancelled(let event):
            state.transition(event.bookingId, .cancel)
        case .bookingRescheduled(let event):
            state.bookings[event.bookingId]?.start = event.start
            state.bookings[event.bookingId]?.end = event.end
        case .bookingMovedOut(let event):
            state.transition(event.bookingId, .moveAway)
        case .bookingCheckedIn(let event):
            state.transition(event.bookingId, .checkIn)
            state.bookings[event.bookingId]?.checkedInAt = event.checkedInAt
        case .bookingReleasedAsNoShow(let event):
            state.transition(event.bookingId, .releaseNoShow)
        default:
            break
        }
        return state
    }

    /// Events were decided against this state, so a refused transition cannot be in the log;
    /// keeping the old status is the safe reading if one ever is.
    private mutating func transition(_ id: BookingID, _ transition: BookingStatus.Transition) {
        guard let status = bookings[id]?.status, let next = status.after(transition) else { return }
        bookings[id]?.status = next
    }
}

/// One current booking as its person's aggregate knows it (for limits).
public struct PersonBooking: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var siteId: SiteID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    public var localDate: LocalDate
}

/// A person's current bookings and favourite resources.
public struct PersonState: Codable, Equatable, Sendable {
    public var bookings: [BookingID: PersonBooking] = [:]
    public var favourites: [ResourceID: SiteID] = [:]

    public init() {}

    public func evolve(_ event: BookingEvent) -> PersonState {
        var state = self
        switch event {
        case .personBookingAdded(let event):
            state.bookings[event.bookingId] = PersonBooking(
                bookingId: event.bookingId, resourceId: event.resourceId, siteId: event.siteId, kind: event.kind,
                start: event.start, end: event.end, localDate: event.localDate)
        case .personBookingChanged(let event):
            state.bookings[event.bookingId]?.resourceId = event.resourceId
            state.bookings[event.bookingId]?.start = event.start
            state.bookings[event.bookingId]?.end = event.end
            state.bookings[event.bookingId]?.localDate = event.localDate
        case .personBookingRemoved(let event):
            state.bookings[event.bookingId] = nil
        case .favouriteAdded(let event):
            state.favourites[event.resourceId] = event.siteId
        case .favouriteRemoved(let event):
            state.favourites[event.resourceId] = nil
        default:
            break
        }
        return state
    }
}

extension SiteState {
    /// Resources for a search: of `kind` (any when `nil`), on `floorId` (any when `nil`), having
    /// every one of `attributes`, that `principal` may book; by name, then id.
    public func resources(kind: ResourceKind? = nil, floorId: FloorID? = nil, attributes: Set<String> = [],
                          bookableBy principal: Principal? = nil) -> [ResourceDefinition] {
        resources.values.filter { resource in
            (kind == nil || resource.kind == kind)
                && (floorId == nil || resource.floorId == floorId)
                && attributes.isSubset(of: resource.attributes)
                && (principal == nil || resource.restrictedToGroups.isEmpty || resource.restrictedToGroups.contains(where: principal!.groups.contains))
        }.sorted { ($0.name, $0.resourceId) < ($1.name, $1.resourceId) }
    }
}
