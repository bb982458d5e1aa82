import Foundation

/// Every command of the booking domain, for `BookingDecider.decide`.
public enum BookingCommand: Equatable, Sendable {
    case place(PlaceBooking)
    case cancel(CancelBooking)
    case changeTime(ChangeBookingTime)
    case move(MoveBooking)
    case checkIn(CheckIn)
    case releaseNoShow(ReleaseNoShow)
    case addFavourite(AddFavourite)
    case removeFavourite(RemoveFavourite)

    case createSite(CreateSite)
    case setOpeningHours(SetOpeningHours)
    case addClosure(AddClosure)
    case removeClosure(RemoveClosure)
    case setSitePolicy(SetSitePolicy)
    case addBuilding(AddBuilding)
    case addFloor(AddFloor)
    case addResource(AddResource)
    case updateResource(UpdateResource)
    case removeResource(RemoveResource)
    case setResourcePolicy(SetResourcePolicy)
    case defineGroup(DefineGroup)
    case restrictResource(RestrictResource)

    public var idempotencyKey: String {
        switch self {
        case .place(let command): command.idempotencyKey
        case .cancel(let command): command.idempotencyKey
        case .changeTime(let command): command.idempotencyKey
        case .move(let command): command.idempotencyKey
        case .checkIn(let command): command.idempotencyKey
        case .releaseNoShow(let command): command.idempotencyKey
        case .addFavourite(let command): command.idempotencyKey
        case .removeFavourite(let command): command.idempotencyKey
        case .createSite(let command): command.idempotencyKey
        case .setOpeningHours(let command): command.idempotencyKey
        case .addClosure(let command): command.idempotencyKey
        case .removeClosure(let command): command.idempotencyKey
        case .setSitePolicy(let command): command.idempotencyKey
        case .addBuilding(let command): command.idempotencyKey
        case .addFloor(let command): command.idempotencyKey
        case .addResource(let command): command.idempotencyKey
        case .updateResource(let command): command.idempotencyKey
        case .removeResource(let command): command.idempotencyKey
        case .setResourcePolicy(let command): command.idempotencyKey
        case .defineGroup(let command): command.idempotencyKey
        case .restrictResource(let command): command.idempotencyKey
        }
    }

    /// The site a catalog command changes, `nil` for booking commands.
    var adminSiteId: SiteID? {
        switch self {
        case .createSite(let command): command.siteId
        case .setOpeningHours(let command): command.siteId
        case .addClosure(let command): command.siteId
        case .removeClosure(let command): command.siteId
        case .setSitePolicy(let command): command.siteId
        case .addBuilding(let command): command.siteId
        case .addFloor(let command): command.siteId
        case .addResource(let command): command.siteId
        case .updateResource(let command): command.siteId
        case .removeResource(let command): command.siteId
        case .setResourcePolicy(let command): command.siteId
        case .defineGroup(let command): command.siteId
        case .restrictResource(let command): command.siteId
        default: nil
        }
    }
}

public enum Role: String, Codable, Sendable, CaseIterable {
    /// Books for themselves, sees and changes only their own bookings.
    case booker
    /// Manages sites, resources, policies and groups; may cancel or release anyone's booking.
    case admin
    /// Automation (the flow runtime), e.g. releasing no-shows.
    case system
}

/// Who is acting (the "actor" of a command), as the access layer established it: a person or
/// an automation, with roles and restriction-group memberships. Not named `Actor`, which would
/// shadow Swift's `Actor` protocol in every module importing this one.
public struct Principal: Equatable, Sendable {
    public var personId: PersonID
    public var roles: Set<Role>
    /// Restriction-group memberships (from the token's `groups` claim).
    public var groups: Set<GroupID>

    public init(personId: PersonID, roles: Set<Role>, groups: Set<GroupID> = []) {
        self.personId = personId
        self.roles = roles
        self.groups = groups
    }

    var isAdmin: Bool { roles.contains(.admin) }
    var mayBook: Bool { roles.contains(.booker) || roles.contains(.admin) }
}

/// Everything `decide` may look at: the loaded aggregates, who acts, and the time.
/// An aggregate absent from the dictionaries counts as one without events (`missingAggregates`
/// tells the handler what it still has to load).
public struct DecisionContext: Sendable {
    public var actor: Principal
    public var now: Date
    public var sites: [SiteID: SiteState]
    public var resources: [ResourceID: ResourceState]
    public var persons: [PersonID: PersonState]

    public init(actor: Principal, now: Date, sites: [SiteID: SiteState] = [:],
                resources: [ResourceID: ResourceState] = [:], persons: [PersonID: PersonState] = [:]) {
        self.actor = actor
        self.now = now
        self.sites = sites
        self.resources = resources
        self.persons = persons
    }

    func site(_ id: SiteID) -> SiteState { sites[id] ?? SiteState() }
    func resource(_ id: ResourceID) -> ResourceState { resources[id] ?? ResourceState() }
    func person(_ id: PersonID) -> PersonState { persons[id] ?? PersonState() }
}
