import Foundation

/// The demo catalog `almanac dev` seeds: two sites in different zones (Zürich, New York),
/// buildings and floors, 200 desks, 10 rooms, parking, an appointment service, policies and a
/// restriction group — as admin commands, so seeding goes through `decide` like any change.
public enum DemoData {
    /// Who the seed acts as.
    public static let administrator = Principal(personId: "demo-admin", roles: [.admin])

    /// The restriction group guarding the executive parking spaces in Zürich.
    public static let executiveParkingGroup: GroupID = "zh-executive-parking"

    /// Admin commands in the order to apply them; idempotency keys are stable (`demo-seed-N`),
    /// so seeding twice appends nothing new.
    public static func commands() -> [BookingCommand] {
        var commands: [BookingCommand] = []
        func add(_ make: (String) -> BookingCommand) { commands.append(make("demo-seed-\(commands.count + 1)")) }
        let weekdays: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]
        let time = { (text: String) in TimeOfDay(text)! }
        let sitePolicy = BookingPolicy(slotGranularityMinutes: 15, minimumDurationMinutes: 30, maximumDurationMinutes: 600,
                                       minimumNoticeToBookMinutes: 0, minimumNoticeToChangeMinutes: 60, maximumAdvanceDays: 30,
                                       maximumFutureBookings: 20, checkInOpensMinutesBeforeStart: 15, checkInClosesMinutesAfterStart: 30)
        let deskPolicy = PolicyOverride(maximumBookingsPerDay: 1)
        let roomPolicy = PolicyOverride(slotGranularityMinutes: 30, maximumDurationMinutes: 240, minimumNoticeToChangeMinutes: 15, bufferAfterMinutes: 10)
        let parkingPolicy = PolicyOverride(maximumAdvanceDays: 7, maximumBookingsPerDay: 1)

        struct SiteSpec {
            let id, name, country, zone, prefix: String
            let admins: [String]
            let hours: [OpeningInterval]
            let buildings: [(id: String, name: String, floors: Int)]
            let roomSeats: [Int]
            let parkingSpaces: Int
        }
        let sites = [
            SiteSpec(id: "zurich", name: "Zürich Campus", country: "CH", zone: "Europe/Zurich", prefix: "zh", admins: ["grace@almanac.example", "zh-facilities@almanac.example"],
                     hours: weekdays.map { OpeningInterval(weekday: $0, opens: time("07:00"), closes: time("20:00")) }
                         + [OpeningInterval(weekday: .saturday, opens: time("08:00"), closes: time("14:00"))],
                     buildings: [("zh-main", "Main Building", 4)], roomSeats: [4, 6, 8, 12, 20], parkingSpaces: 10),
            SiteSpec(id: "new-york", name: "New York Office", country: "US", zone: "America/New_York", prefix: "ny", admins: ["ny-facilities@almanac.example"],
                     hours: weekdays.map { OpeningInterval(weekday: $0, opens: time("08:00"), closes: time("18:00")) },
                     buildings: [("ny-hudson", "Hudson Yards", 2), ("ny-park", "Park Avenue", 2)], roomSeats: [4, 4, 8, 10, 16],
                     parkingSpaces: 6),
        ]
        for spec in sites {
            add { .createSite(CreateSite(idempotencyKey: $0, siteId: spec.id, name: spec.name, country: spec.country,
                                         timeZone: spec.zone, openingHours: spec.hours, policy: sitePolicy, adminEmails: spec.admins)) }
            if spec.id == "zurich" {
                add { .addClosure(AddClosure(idempotencyKey: $0, siteId: spec.id, closure: Closure(
                    closureId: "national-day-2026", from: LocalDate("2026-08-01")!, through: LocalDate("2026-08-01")!, reason: "Swiss National Day"))) }
                add { .defineGroup(DefineGroup(idempotencyKey: $0, siteId: spec.id, groupId: executiveParkingGroup, name: "Executive parking")) }
            } else {
                add { .addClosure(AddClosure(idempotencyKey: $0, siteId: spec.id, closure: Closure(
                    closureId: "thanksgiving-2026", from: LocalDate("2026-11-26")!, through: LocalDate("2026-11-27")!, reason: "Thanksgiving"))) }
            }
            var deskNumber = 0
            var firstFloor: FloorID?
            for building in spec.buildings {
                add { .addBuilding(AddBuilding(idempotencyKey: $0, siteId: spec.id, buildingId: building.id, name: building.name)) }
                for level in 1...building.floors {
                    let floorId = "\(building.id)-\(level)"
                    if firstFloor == nil { firstFloor = floorId }
                    add { .addFloor(AddFloor(idempotencyKey: $0, siteId: spec.id, buildingId: building.id, floorId: floorId,
                                             name: "Floor \(level)", level: level)) }
                    // 100 desks per site, spread evenly over its floors.
                    let floorCount = spec.buildings.reduce(0) { $0 + $1.floors }
                    for index in 1...(100 / floorCount) {
                        deskNumber += 1
                        var attributes: [String] = []
                        if deskNumber % 5 == 0 { attributes.append("standing-desk") }
                        if deskNumber % 2 == 0 { attributes.append("monitor") }
                        if index == 1 { attributes.append("accessible") }
                        let id = "\(spec.prefix)-desk-\(String(repeating: "0", count: 3 - String(deskNumber).count))\(deskNumber)"
                        let resource = ResourceDefinition(resourceId: id, floorId: floorId, name: "Desk \(deskNumber)", kind: .desk,
                                                          attributes: attributes, policyOverride: deskPolicy)
                        add { .addResource(AddResource(idempotencyKey: $0, siteId: spec.id, resource: resource)) }
                    }
                }
            }
            let floor = firstFloor!
            for (index, seats) in spec.roomSeats.enumerated() {
                let resource = ResourceDefinition(resourceId: "\(spec.prefix)-room-\(index + 1)", floorId: floor, name: "Room \(index + 1)",
                                                  kind: .room, seats: seats, attributes: seats >= 8 ? ["video-conference", "whiteboard"] : ["whiteboard"],
                                                  policyOverride: roomPolicy)
                add { .addResource(AddResource(idempotencyKey: $0, siteId: spec.id, resource: resource)) }
            }
            for number in 1...spec.parkingSpaces {
                let restricted = spec.id == "zurich" && number <= 2
                let resource = ResourceDefinition(resourceId: "\(spec.prefix)-parking-\(number)", floorId: floor, name: "Parking \(number)",
                                                  kind: .parkingSpace, attributes: number == 1 ? ["ev-charger"] : [],
                                                  restrictedToGroups: restricted ? [executiveParkingGroup] : [], policyOverride: parkingPolicy)
                add { .addResource(AddResource(idempotencyKey: $0, siteId: spec.id, resource: resource)) }
            }
            let service = ResourceDefinition(resourceId: "\(spec.prefix)-it-help", floorId: floor, name: "IT help desk", kind: .appointmentService,
                                             appointmentDurationMinutes: 20, policyOverride: PolicyOverride(bufferAfterMinutes: 10, capacity: 2))
            add { .addResource(AddResource(idempotencyKey: $0, siteId: spec.id, resource: service)) }
        }
        return commands
    }
}
