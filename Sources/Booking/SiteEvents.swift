import Foundation

// Events of the site/catalog aggregate (`bookings.site.<siteId>`). Plain Codable structs; wire
// names and versions are given where they are registered (AlmanacEvents).

/// `site.created`
public struct SiteCreated: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var name: String
    public var country: String
    public var timeZone: String
    public var openingHours: [OpeningInterval]
    public var policy: BookingPolicy
    /// The site's administrators' mail addresses (optional: older events have none).
    public var adminEmails: [String]?

    public init(siteId: SiteID, name: String, country: String, timeZone: String, openingHours: [OpeningInterval], policy: BookingPolicy,
                adminEmails: [String]? = nil) {
        self.siteId = siteId
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.openingHours = openingHours
        self.policy = policy
        self.adminEmails = adminEmails
    }
}

/// `site.opening_hours_set`: replaces the weekly opening hours.
public struct SiteOpeningHoursSet: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var openingHours: [OpeningInterval]

    public init(siteId: SiteID, openingHours: [OpeningInterval]) {
        self.siteId = siteId
        self.openingHours = openingHours
    }
}

/// `site.closure_added`
public struct SiteClosureAdded: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var closure: Closure

    public init(siteId: SiteID, closure: Closure) {
        self.siteId = siteId
        self.closure = closure
    }
}

/// `site.closure_removed`
public struct SiteClosureRemoved: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var closureId: ClosureID

    public init(siteId: SiteID, closureId: ClosureID) {
        self.siteId = siteId
        self.closureId = closureId
    }
}

/// `site.policy_set`: the site's default policy.
public struct SitePolicySet: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var policy: BookingPolicy

    public init(siteId: SiteID, policy: BookingPolicy) {
        self.siteId = siteId
        self.policy = policy
    }
}

/// `building.added`
public struct BuildingAdded: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var buildingId: BuildingID
    public var name: String

    public init(siteId: SiteID, buildingId: BuildingID, name: String) {
        self.siteId = siteId
        self.buildingId = buildingId
        self.name = name
    }
}

/// `floor.added`
public struct FloorAdded: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var buildingId: BuildingID
    public var floorId: FloorID
    public var name: String
    public var level: Int

    public init(siteId: SiteID, buildingId: BuildingID, floorId: FloorID, name: String, level: Int) {
        self.siteId = siteId
        self.buildingId = buildingId
        self.floorId = floorId
        self.name = name
        self.level = level
    }
}

/// `resource.added`
public struct ResourceAdded: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var resource: ResourceDefinition

    public init(siteId: SiteID, resource: ResourceDefinition) {
        self.siteId = siteId
        self.resource = resource
    }
}

/// `resource.updated`: name and searchable attributes.
public struct ResourceUpdated: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var name: String
    public var attributes: [String]

    public init(siteId: SiteID, resourceId: ResourceID, name: String, attributes: [String]) {
        self.siteId = siteId
        self.resourceId = resourceId
        self.name = name
        self.attributes = attributes
    }
}

/// `resource.removed`: no new bookings; existing ones stay on the resource's own subject.
public struct ResourceRemoved: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var resourceId: ResourceID

    public init(siteId: SiteID, resourceId: ResourceID) {
        self.siteId = siteId
        self.resourceId = resourceId
    }
}

/// `resource.policy_set`: replaces the resource's override of the site policy.
public struct ResourcePolicySet: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var policyOverride: PolicyOverride

    public init(siteId: SiteID, resourceId: ResourceID, policyOverride: PolicyOverride) {
        self.siteId = siteId
        self.resourceId = resourceId
        self.policyOverride = policyOverride
    }
}

/// `group.defined`
public struct GroupDefined: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var groupId: GroupID
    public var name: String

    public init(siteId: SiteID, groupId: GroupID, name: String) {
        self.siteId = siteId
        self.groupId = groupId
        self.name = name
    }
}

/// `resource.restricted`: who may book it; an empty list opens it to everyone.
public struct ResourceRestricted: Codable, Equatable, Sendable {
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var groupIds: [GroupID]

    public init(siteId: SiteID, resourceId: ResourceID, groupIds: [GroupID]) {
        self.siteId = siteId
        self.resourceId = resourceId
        self.groupIds = groupIds
    }
}
