import Foundation

// Commands of administrators: the site catalog (`bookings.site.<siteId>`).

public struct CreateSite: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var name: String
    /// ISO 3166-1 alpha-2 (two capital letters).
    public var country: String
    /// IANA zone, e.g. `Europe/Zurich`.
    public var timeZone: String
    public var openingHours: [OpeningInterval]
    public var policy: BookingPolicy
    /// Mail addresses of the site's administrators (reports such as the weekly utilisation).
    public var adminEmails: [String]?

    public init(idempotencyKey: String, siteId: SiteID, name: String, country: String, timeZone: String, openingHours: [OpeningInterval], policy: BookingPolicy,
                adminEmails: [String]? = nil) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.openingHours = openingHours
        self.policy = policy
        self.adminEmails = adminEmails
    }
}

public struct SetOpeningHours: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var openingHours: [OpeningInterval]

    public init(idempotencyKey: String, siteId: SiteID, openingHours: [OpeningInterval]) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.openingHours = openingHours
    }
}

public struct AddClosure: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var closure: Closure

    public init(idempotencyKey: String, siteId: SiteID, closure: Closure) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.closure = closure
    }
}

public struct RemoveClosure: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var closureId: ClosureID

    public init(idempotencyKey: String, siteId: SiteID, closureId: ClosureID) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.closureId = closureId
    }
}

public struct SetSitePolicy: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var policy: BookingPolicy

    public init(idempotencyKey: String, siteId: SiteID, policy: BookingPolicy) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.policy = policy
    }
}

public struct AddBuilding: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var buildingId: BuildingID
    public var name: String

    public init(idempotencyKey: String, siteId: SiteID, buildingId: BuildingID, name: String) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.buildingId = buildingId
        self.name = name
    }
}

public struct AddFloor: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var buildingId: BuildingID
    public var floorId: FloorID
    public var name: String
    public var level: Int

    public init(idempotencyKey: String, siteId: SiteID, buildingId: BuildingID, floorId: FloorID, name: String, level: Int) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.buildingId = buildingId
        self.floorId = floorId
        self.name = name
        self.level = level
    }
}

public struct AddResource: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resource: ResourceDefinition

    public init(idempotencyKey: String, siteId: SiteID, resource: ResourceDefinition) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resource = resource
    }
}

public struct UpdateResource: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var name: String
    public var attributes: [String]

    public init(idempotencyKey: String, siteId: SiteID, resourceId: ResourceID, name: String, attributes: [String]) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resourceId = resourceId
        self.name = name
        self.attributes = attributes
    }
}

public struct RemoveResource: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resourceId: ResourceID

    public init(idempotencyKey: String, siteId: SiteID, resourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resourceId = resourceId
    }
}

public struct SetResourcePolicy: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var policyOverride: PolicyOverride

    public init(idempotencyKey: String, siteId: SiteID, resourceId: ResourceID, policyOverride: PolicyOverride) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resourceId = resourceId
        self.policyOverride = policyOverride
    }
}

public struct DefineGroup: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var groupId: GroupID
    public var name: String

    public init(idempotencyKey: String, siteId: SiteID, groupId: GroupID, name: String) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.groupId = groupId
        self.name = name
    }
}

public struct RestrictResource: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resourceId: ResourceID
    /// Empty opens the resource to everyone again.
    public var groupIds: [GroupID]

    public init(idempotencyKey: String, siteId: SiteID, resourceId: ResourceID, groupIds: [GroupID]) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resourceId = resourceId
        self.groupIds = groupIds
    }
}
