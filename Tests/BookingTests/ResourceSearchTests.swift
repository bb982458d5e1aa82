import Booking
import Testing

@Suite("Resource search")
struct ResourceSearchTests {
    @Test("given the demo catalog, then desks with a monitor and a standing desk are found, and restricted parking only for members")
    func searchByKindAttributesAndGroups() {
        let context = BookingDecider.evolve(DecisionContext(actor: DemoData.administrator, now: utc("2026-01-01T00:00:00Z")),
                                            with: Fixture.history(of: DemoData.commands()))
        let zurich = context.sites["zurich"]!
        let standing = zurich.resources(kind: .desk, attributes: ["standing-desk", "monitor"])
        #expect(standing.count == 10) // every 10th of 100 desks
        #expect(standing.allSatisfy { $0.kind == .desk && $0.attributes.contains("monitor") })
        #expect(zurich.resources(kind: .desk, floorId: "zh-main-1").count == 25)
        let booker = Principal(personId: "ada", roles: [.booker])
        let executive = Principal(personId: "eve", roles: [.booker], groups: [DemoData.executiveParkingGroup])
        #expect(zurich.resources(kind: .parkingSpace, bookableBy: booker).count == 8)
        #expect(zurich.resources(kind: .parkingSpace, bookableBy: executive).count == 10)
    }
}
