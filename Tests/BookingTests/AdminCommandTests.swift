import Booking
import Foundation
import Testing

@Suite("Admin commands")
struct AdminCommandTests {
    let now = utc("2026-03-09T12:00:00Z")

    func admin(_ command: BookingCommand, given history: [SubjectEvents] = Fixture.catalog) -> Result<[SubjectEvents], BookingRejection> {
        Scenario(given: history, at: now).when(command, by: Fixture.admin)
    }

    @Test("given no site, when an admin creates one, then site.created on the site's subject")
    func givenNothingWhenCreateSiteThenCreated() {
        let hours = Fixture.everyDay()
        let result = admin(.createSite(CreateSite(idempotencyKey: "k", siteId: "ny", name: "New York", country: "US",
                                                  timeZone: "America/New_York", openingHours: hours, policy: Fixture.policy)), given: [])
        #expect(result == .success([SubjectEvents(.site("ny"), [.siteCreated(SiteCreated(
            siteId: "ny", name: "New York", country: "US", timeZone: "America/New_York", openingHours: hours, policy: Fixture.policy))])]))
    }

    @Test("given bad site data, when creating a site, then the field is named")
    func givenBadSiteDataWhenCreatingThenFieldNamed() {
        func create(country: String = "CH", zone: String = "Europe/Zurich", hours: [OpeningInterval] = Fixture.everyDay(),
                    policy: BookingPolicy = Fixture.policy, id: String = "new") -> BookingRejection? {
            admin(.createSite(CreateSite(idempotencyKey: "k", siteId: id, name: "X", country: country, timeZone: zone,
                                         openingHours: hours, policy: policy))).rejection
        }
        #expect(create(country: "Switzerland") == .invalidInput(field: "country", reason: "must be a two-letter ISO country code such as CH"))
        #expect(create(zone: "Europe/Atlantis") == .invalidInput(field: "timeZone", reason: "must be an IANA time zone such as Europe/Zurich"))
        #expect(create(hours: [OpeningInterval(weekday: .monday, opens: TimeOfDay("18:00")!, closes: TimeOfDay("08:00")!)])
                == .invalidInput(field: "openingHours", reason: "on monday must close after they open"))
        #expect(create(hours: [OpeningInterval(weekday: .monday, opens: TimeOfDay("08:00")!, closes: TimeOfDay("12:00")!),
                               OpeningInterval(weekday: .monday, opens: TimeOfDay("11:00")!, closes: TimeOfDay("14:00")!)])
                == .invalidInput(field: "openingHours", reason: "on monday overlap"))
        var policy = Fixture.policy
        policy.slotGranularityMinutes = 7
        #expect(create(policy: policy) == .invalidInput(field: "policy", reason: "slot granularity must divide a day (e.g. 5, 15, 30 or 60 minutes)"))
        #expect(create(id: "zh") == .alreadyExists(what: "site", id: "zh"))
        #expect(create(id: "z h") == .invalidInput(field: "siteId", reason: "may contain only letters, digits, '_' and '-'"))
    }

    @Test("given a booker, when they try an admin command, then not allowed")
    func givenBookerWhenAdminCommandThenNotAllowed() {
        let result = Scenario(at: now).when(.addBuilding(AddBuilding(idempotencyKey: "k", siteId: "zh", buildingId: "b2", name: "Annex")), by: Fixture.ada)
        #expect(result.rejection == .notAllowed(reason: "only administrators can change sites and resources"))
    }

    @Test("given a site, when adding buildings, floors and resources, then each is checked against the catalog")
    func givenSiteWhenAddingThenCatalogChecked() {
        #expect(admin(.addBuilding(AddBuilding(idempotencyKey: "k", siteId: "zh", buildingId: "b2", name: "Annex"))).events
                == [SubjectEvents(.site("zh"), [.buildingAdded(BuildingAdded(siteId: "zh", buildingId: "b2", name: "Annex"))])])
        #expect(admin(.addBuilding(AddBuilding(idempotencyKey: "k", siteId: "zh", buildingId: "b1", name: "Again"))).rejection
                == .alreadyExists(what: "building", id: "b1"))
        #expect(admin(.addFloor(AddFloor(idempotencyKey: "k", siteId: "zh", buildingId: "b9", floorId: "f9", name: "1", level: 1))).rejection
                == .unknownBuilding("b9"))
        #expect(admin(.addFloor(AddFloor(idempotencyKey: "k", siteId: "elsewhere", buildingId: "b1", floorId: "f9", name: "1", level: 1))).rejection
                == .unknownSite("elsewhere"))
        let desk = ResourceDefinition(resourceId: "desk-3", floorId: "f9", name: "Desk 3", kind: .desk)
        #expect(admin(.addResource(AddResource(idempotencyKey: "k", siteId: "zh", resource: desk))).rejection == .unknownFloor("f9"))
        let room = ResourceDefinition(resourceId: "room-2", floorId: "f1", name: "Room 2", kind: .room)
        #expect(admin(.addResource(AddResource(idempotencyKey: "k", siteId: "zh", resource: room))).rejection
                == .invalidInput(field: "resource.seats", reason: "must be at least 1 for a room"))
        let service = ResourceDefinition(resourceId: "svc", floorId: "f1", name: "Service", kind: .appointmentService)
        #expect(admin(.addResource(AddResource(idempotencyKey: "k", siteId: "zh", resource: service))).rejection
                == .invalidInput(field: "resource.appointmentDurationMinutes", reason: "must be between 1 and 1440 for an appointment service"))
        let restricted = ResourceDefinition(resourceId: "desk-3", floorId: "f1", name: "Desk 3", kind: .desk, restrictedToGroups: ["nobody"])
        #expect(admin(.addResource(AddResource(idempotencyKey: "k", siteId: "zh", resource: restricted))).rejection == .unknownGroup("nobody"))
        #expect(admin(.addResource(AddResource(idempotencyKey: "k", siteId: "zh", resource: ResourceDefinition(
            resourceId: "desk-1", floorId: "f1", name: "Desk 1", kind: .desk)))).rejection == .alreadyExists(what: "resource", id: "desk-1"))
    }

    @Test("given a resource, when updated, restricted, given a policy and removed, then the catalog follows and bookings obey")
    func givenResourceWhenChangedThenCatalogFollows() throws {
        var history = Fixture.catalog
        for command: BookingCommand in [
            .updateResource(UpdateResource(idempotencyKey: "u", siteId: "zh", resourceId: "desk-1", name: "Window desk", attributes: ["window"])),
            .restrictResource(RestrictResource(idempotencyKey: "r", siteId: "zh", resourceId: "desk-1", groupIds: ["execs"])),
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-2", policyOverride: PolicyOverride(slotGranularityMinutes: 60))),
        ] {
            history += try Scenario(given: history, at: now).accepted(command, by: Fixture.admin)
        }
        let state = Scenario(given: history, at: now).context.sites["zh"]!
        #expect(state.resources["desk-1"]?.name == "Window desk")
        #expect(state.resources["desk-1"]?.attributes == ["window"])
        let scenario = Scenario(given: history, at: now)
        #expect(scenario.when(Fixture.place("b", "desk-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")).rejection
                == .notAllowed(reason: "Window desk is reserved for members of Executives"))
        #expect(scenario.when(Fixture.place("b", "desk-2", "2026-03-10T08:30:00Z", "2026-03-10T09:30:00Z")).rejection
                == .offSlotGrid(granularityMinutes: 60))
        #expect(admin(.restrictResource(RestrictResource(idempotencyKey: "r", siteId: "zh", resourceId: "desk-1", groupIds: ["ghosts"])), given: history).rejection
                == .unknownGroup("ghosts"))
        var policy = PolicyOverride()
        policy.capacity = 0
        #expect(admin(.setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-2", policyOverride: policy)), given: history).rejection
                == .invalidInput(field: "policyOverride", reason: "capacity must be at least 1"))

        history += try Scenario(given: history, at: now).accepted(.removeResource(RemoveResource(idempotencyKey: "x", siteId: "zh", resourceId: "desk-2")), by: Fixture.admin)
        #expect(Scenario(given: history, at: now).when(Fixture.place("b", "desk-2", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")).rejection
                == .unknownResource("desk-2"))
    }

    @Test("given a site, when hours, closures, policy and groups change, then the site state follows")
    func givenSiteWhenConfigChangesThenStateFollows() throws {
        var history = Fixture.catalog
        var policy = Fixture.policy
        policy.maximumAdvanceDays = 7
        let closure = Closure(closureId: "xmas", from: LocalDate("2026-12-24")!, through: LocalDate("2026-12-26")!, reason: "Christmas")
        for command: BookingCommand in [
            .setOpeningHours(SetOpeningHours(idempotencyKey: "h", siteId: "zh", openingHours: Fixture.everyDay("07:00", "19:00"))),
            .addClosure(AddClosure(idempotencyKey: "c", siteId: "zh", closure: closure)),
            .setSitePolicy(SetSitePolicy(idempotencyKey: "p", siteId: "zh", policy: policy)),
            .defineGroup(DefineGroup(idempotencyKey: "g", siteId: "zh", groupId: "parents", name: "Parents")),
        ] {
            history += try Scenario(given: history, at: now).accepted(command, by: Fixture.admin)
        }
        let site = Scenario(given: history, at: now).context.sites["zh"]!
        #expect(site.site?.openingHours == Fixture.everyDay("07:00", "19:00"))
        #expect(site.site?.closures == [closure])
        #expect(site.site?.policy.maximumAdvanceDays == 7)
        #expect(site.groups["parents"]?.name == "Parents")
        #expect(admin(.addClosure(AddClosure(idempotencyKey: "c", siteId: "zh", closure: closure)), given: history).rejection
                == .alreadyExists(what: "closure", id: "xmas"))
        #expect(admin(.addClosure(AddClosure(idempotencyKey: "c", siteId: "zh", closure: Closure(
            closureId: "bad", from: LocalDate("2026-12-26")!, through: LocalDate("2026-12-24")!, reason: "x"))), given: history).rejection
                == .invalidInput(field: "closure.through", reason: "must not be before closure.from"))
        history += try Scenario(given: history, at: now).accepted(.removeClosure(RemoveClosure(idempotencyKey: "rc", siteId: "zh", closureId: "xmas")), by: Fixture.admin)
        #expect(Scenario(given: history, at: now).context.sites["zh"]?.site?.closures == [])
        #expect(admin(.removeClosure(RemoveClosure(idempotencyKey: "rc", siteId: "zh", closureId: "xmas")), given: history).rejection == .unknownClosure("xmas"))
    }

    @Test("the demo data seeds two sites with 200 desks, 10 rooms, parking and a restriction group, all accepted by decide")
    func demoDataIsAccepted() {
        var context = DecisionContext(actor: DemoData.administrator, now: utc("2026-01-01T00:00:00Z"))
        for command in DemoData.commands() {
            let result = BookingDecider.decide(command, context)
            guard case .success(let events) = result else {
                Issue.record("demo command refused: \(command) → \(result)")
                return
            }
            context = BookingDecider.evolve(context, with: events)
        }
        let resources = context.sites.values.flatMap { $0.resources.values }
        #expect(context.sites.count == 2)
        #expect(Set(context.sites.values.compactMap { $0.site?.timeZone }) == ["Europe/Zurich", "America/New_York"])
        #expect(resources.filter { $0.kind == .desk }.count == 200)
        #expect(resources.filter { $0.kind == .room }.count == 10)
        #expect(resources.filter { $0.kind == .parkingSpace }.count >= 10)
        #expect(resources.contains { $0.restrictedToGroups == [DemoData.executiveParkingGroup] })
        #expect(Set(DemoData.commands().map(\.idempotencyKey)).count == DemoData.commands().count)
    }
}
