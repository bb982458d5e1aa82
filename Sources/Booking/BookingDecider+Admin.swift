import Foundation

/// Catalog commands (administrators only; checked in `decide`).
extension BookingDecider {
    typealias Decision = Result<[SubjectEvents], BookingRejection>

    /// The existing site, after checking the ids of a catalog command.
    private static func existingSite(_ siteId: SiteID, _ context: DecisionContext, ids: [(String, String)] = []) -> Result<SiteState, BookingRejection> {
        for (value, field) in [(siteId, "siteId")] + ids {
            if let problem = Identifier.check(value, field: field) { return .failure(problem) }
        }
        let state = context.site(siteId)
        guard state.site != nil else { return .failure(.unknownSite(siteId)) }
        return .success(state)
    }

    private static func on(_ siteId: SiteID, _ event: BookingEvent) -> Decision {
        .success([SubjectEvents(.site(siteId), [event])])
    }

    static func checkOpeningHours(_ hours: [OpeningInterval]) -> BookingRejection? {
        for interval in hours where interval.opens >= interval.closes {
            return .invalidInput(field: "openingHours", reason: "on \(interval.weekday.rawValue) must close after they open")
        }
        for day in Weekday.allCases {
            let intervals = hours.filter { $0.weekday == day }.sorted { $0.opens < $1.opens }
            for (earlier, later) in zip(intervals, intervals.dropFirst()) where later.opens < earlier.closes {
                return .invalidInput(field: "openingHours", reason: "on \(day.rawValue) overlap")
            }
        }
        return nil
    }

    static func checkName(_ name: String, field: String = "name") -> BookingRejection? {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .invalidInput(field: field, reason: "must not be empty") }
        if trimmed.count > 200 { return .invalidInput(field: field, reason: "must be at most 200 characters") }
        return nil
    }

    static func createSite(_ command: CreateSite, _ context: DecisionContext) -> Decision {
        if let problem = Identifier.check(command.siteId, field: "siteId") ?? checkName(command.name) { return .failure(problem) }
        guard command.country.count == 2, command.country.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            return .failure(.invalidInput(field: "country", reason: "must be a two-letter ISO country code such as CH"))
        }
        guard SiteClock(timeZoneIdentifier: command.timeZone) != nil, command.timeZone.contains("/") || command.timeZone == "UTC" else {
            return .failure(.invalidInput(field: "timeZone", reason: "must be an IANA time zone such as Europe/Zurich"))
        }
        if let problem = checkOpeningHours(command.openingHours) { return .failure(problem) }
        if let problem = command.policy.problem { return .failure(.invalidInput(field: "policy", reason: problem)) }
        for address in command.adminEmails ?? [] where !Self.looksLikeMailAddress(address) {
            return .failure(.invalidInput(field: "adminEmails", reason: "\(address.debugDescription) is not a mail address"))
        }
        guard context.site(command.siteId).site == nil else { return .failure(.alreadyExists(what: "site", id: command.siteId)) }
        return on(command.siteId, .siteCreated(SiteCreated(siteId: command.siteId, name: command.name, country: command.country,
                                                           timeZone: command.timeZone, openingHours: command.openingHours, policy: command.policy,
                                                           adminEmails: command.adminEmails)))
    }

    static func setOpeningHours(_ command: SetOpeningHours, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context).flatMap { _ in
            if let problem = checkOpeningHours(command.openingHours) { return .failure(problem) }
            return on(command.siteId, .siteOpeningHoursSet(SiteOpeningHoursSet(siteId: command.siteId, openingHours: command.openingHours)))
        }
    }

    static func addClosure(_ command: AddClosure, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.closure.closureId, "closure.closureId")]).flatMap { state in
            guard command.closure.from <= command.closure.through else {
                return .failure(.invalidInput(field: "closure.through", reason: "must not be before closure.from"))
            }
            if let problem = checkName(command.closure.reason, field: "closure.reason") { return .failure(problem) }
            guard !(state.site?.closures.contains { $0.closureId == command.closure.closureId } ?? false) else {
                return .failure(.alreadyExists(what: "closure", id: command.closure.closureId))
            }
            return on(command.siteId, .siteClosureAdded(SiteClosureAdded(siteId: command.siteId, closure: command.closure)))
        }
    }

    static func removeClosure(_ command: RemoveClosure, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.closureId, "closureId")]).flatMap { state in
            guard state.site?.closures.contains(where: { $0.closureId == command.closureId }) ?? false else {
                return .failure(.unknownClosure(command.closureId))
            }
            return on(command.siteId, .siteClosureRemoved(SiteClosureRemoved(siteId: command.siteId, closureId: command.closureId)))
        }
    }

    static func setSitePolicy(_ command: SetSitePolicy, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context).flatMap { _ in
            if let problem = command.policy.problem { return .failure(.invalidInput(field: "policy", reason: problem)) }
            return on(command.siteId, .sitePolicySet(SitePolicySet(siteId: command.siteId, policy: command.policy)))
        }
    }

    static func addBuilding(_ command: AddBuilding, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.buildingId, "buildingId")]).flatMap { state in
            if let problem = checkName(command.name) { return .failure(problem) }
            guard state.buildings[command.buildingId] == nil else { return .failure(.alreadyExists(what: "building", id: command.buildingId)) }
            return on(command.siteId, .buildingAdded(BuildingAdded(siteId: command.siteId, buildingId: command.buildingId, name: command.name)))
        }
    }

    static func addFloor(_ command: AddFloor, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.buildingId, "buildingId"), (command.floorId, "floorId")]).flatMap { state in
            if let problem = checkName(command.name) { return .failure(problem) }
            guard state.buildings[command.buildingId] != nil else { return .failure(.unknownBuilding(command.buildingId)) }
            guard state.floors[command.floorId] == nil else { return .failure(.alreadyExists(what: "floor", id: command.floorId)) }
            return on(command.siteId, .floorAdded(FloorAdded(siteId: command.siteId, buildingId: command.buildingId, floorId: command.floorId,
                                                             name: command.name, level: command.level)))
        }
    }

    static func addResource(_ command: AddResource, _ context: DecisionContext) -> Decision {
        let resource = command.resource
        return existingSite(command.siteId, context, ids: [(resource.resourceId, "resource.resourceId"), (resource.floorId, "resource.floorId")]).flatMap { state in
            if let problem = checkName(resource.name, field: "resource.name") { return .failure(problem) }
            guard state.floors[resource.floorId] != nil else { return .failure(.unknownFloor(resource.floorId)) }
            guard state.resources[resource.resourceId] == nil else { return .failure(.alreadyExists(what: "resource", id: resource.resourceId)) }
            if let problem = checkKindFields(resource) { return .failure(problem) }
            for group in resource.restrictedToGroups where state.groups[group] == nil { return .failure(.unknownGroup(group)) }
            if let site = state.site, let problem = resource.policyOverride.applied(to: site.policy).problem {
                return .failure(.invalidInput(field: "resource.policyOverride", reason: problem))
            }
            return on(command.siteId, .resourceAdded(ResourceAdded(siteId: command.siteId, resource: resource)))
        }
    }

    static func checkKindFields(_ resource: ResourceDefinition) -> BookingRejection? {
        switch resource.kind {
        case .room:
            guard let seats = resource.seats, seats >= 1 else { return .invalidInput(field: "resource.seats", reason: "must be at least 1 for a room") }
        case .appointmentService:
            guard let length = resource.appointmentDurationMinutes, (1...1440).contains(length) else {
                return .invalidInput(field: "resource.appointmentDurationMinutes", reason: "must be between 1 and 1440 for an appointment service")
            }
        case .desk, .parkingSpace:
            if resource.seats != nil { return .invalidInput(field: "resource.seats", reason: "is only for rooms") }
        }
        if resource.kind != .appointmentService, resource.appointmentDurationMinutes != nil {
            return .invalidInput(field: "resource.appointmentDurationMinutes", reason: "is only for appointment services")
        }
        return nil
    }

    static func updateResource(_ command: UpdateResource, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.resourceId, "resourceId")]).flatMap { state in
            if let problem = checkName(command.name) { return .failure(problem) }
            guard state.resources[command.resourceId] != nil else { return .failure(.unknownResource(command.resourceId)) }
            return on(command.siteId, .resourceUpdated(ResourceUpdated(siteId: command.siteId, resourceId: command.resourceId,
                                                                       name: command.name, attributes: command.attributes)))
        }
    }

    static func removeResource(_ command: RemoveResource, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.resourceId, "resourceId")]).flatMap { state in
            guard state.resources[command.resourceId] != nil else { return .failure(.unknownResource(command.resourceId)) }
            return on(command.siteId, .resourceRemoved(ResourceRemoved(siteId: command.siteId, resourceId: command.resourceId)))
        }
    }

    static func setResourcePolicy(_ command: SetResourcePolicy, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.resourceId, "resourceId")]).flatMap { state in
            guard state.resources[command.resourceId] != nil else { return .failure(.unknownResource(command.resourceId)) }
            if let site = state.site, let problem = command.policyOverride.applied(to: site.policy).problem {
                return .failure(.invalidInput(field: "policyOverride", reason: problem))
            }
            return on(command.siteId, .resourcePolicySet(ResourcePolicySet(siteId: command.siteId, resourceId: command.resourceId,
                                                                           policyOverride: command.policyOverride)))
        }
    }

    static func defineGroup(_ command: DefineGroup, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.groupId, "groupId")]).flatMap { state in
            if let problem = checkName(command.name) { return .failure(problem) }
            guard state.groups[command.groupId] == nil else { return .failure(.alreadyExists(what: "restriction group", id: command.groupId)) }
            return on(command.siteId, .groupDefined(GroupDefined(siteId: command.siteId, groupId: command.groupId, name: command.name)))
        }
    }

    static func restrictResource(_ command: RestrictResource, _ context: DecisionContext) -> Decision {
        existingSite(command.siteId, context, ids: [(command.resourceId, "resourceId")]).flatMap { state in
            guard state.resources[command.resourceId] != nil else { return .failure(.unknownResource(command.resourceId)) }
            for group in command.groupIds where state.groups[group] == nil { return .failure(.unknownGroup(group)) }
            return on(command.siteId, .resourceRestricted(ResourceRestricted(siteId: command.siteId, resourceId: command.resourceId,
                                                                             groupIds: command.groupIds)))
        }
    }
}

extension BookingDecider {
    /// `local@domain.tld`, no spaces: enough to refuse an obvious typo in an admin command.
    static func looksLikeMailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }
}
