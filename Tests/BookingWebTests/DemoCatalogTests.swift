import AlmanacEvents
import Booking
import BookingReadModels
import BookingService
import BookingWeb
import CommandBus
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

/// The demo catalog `almanac dev` seeds, sent over NATS as admin commands the way `DemoSeed`
/// does, is what the booking page's API shows from the read model.
@Suite struct DemoCatalogTests {
    @Test func givenTheWholeDemoSeed_whenBrowsingTheAPI_thenTwoSitesInTwoZones_200Desks_10Rooms_ParkingAndARestrictedSpaceAreShown() async throws {
        let harness = try await BookingWebHarness.shared.value
        let client = CommandClient(connection: harness.connection, prefix: BookingCommandCodec.prefix)
        let admin = DemoData.administrator
        var last: UInt64 = 0
        for command in DemoData.commands().dropFirst(BookingWebHarness.seededDemoCommands) {
            let (name, body) = try BookingCommandCodec.encode(command)
            let reply = try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: admin.personId,
                                                             actorRoles: admin.roles.map(\.rawValue), body: body))
            guard case .accepted(let sequences, _) = reply else { Issue.record("\(name) refused: \(reply)"); return }
            last = max(last, sequences.max() ?? 0)
        }
        try await CheckpointWaiter.wait(for: BookingReadModel.name, toReach: last, pool: harness.pool, timeout: .seconds(60))

        let app = try await buildApplication(harness.configuration())
        let ada = try harness.token("demo-ada")
        try await app.test(.router) { client in
            let sites = try await client.call(.get, "/api/sites", token: ada)
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(sites.text.utf8)) as? [[String: Any]])
            let zones = Dictionary(uniqueKeysWithValues: listed.compactMap { site in (site["siteId"] as? String).map { ($0, site["timeZone"] as? String) } })
            #expect(zones["zurich"] == "Europe/Zurich")
            #expect(zones["new-york"] == "America/New_York")

            var desks = 0, rooms = 0, parking = 0, floors = 0
            for site in ["zurich", "new-york"] {
                let catalog = try await client.call(.get, "/api/sites/\(site)", token: ada)
                #expect(catalog.status == 200, "\(catalog.text)")
                let resources = catalog.json["resources"] as? [[String: Any]] ?? []
                desks += resources.filter { $0["kind"] as? String == "desk" }.count
                rooms += resources.filter { $0["kind"] as? String == "room" }.count
                parking += resources.filter { $0["kind"] as? String == "parking_space" }.count
                floors += (catalog.json["floors"] as? [Any])?.count ?? 0
                #expect(((catalog.json["buildings"] as? [Any])?.count ?? 0) >= 1)
                if site == "zurich" {
                    let restricted = resources.filter { ($0["restrictedToGroups"] as? [String])?.contains(DemoData.executiveParkingGroup) == true }
                    #expect(restricted.count == 2)
                }
            }
            #expect(desks == 200)
            #expect(rooms == 10)
            #expect(parking >= 2)
            #expect(floors == 8)
            let newYorkDesks = try await client.call(.get, "/api/sites/new-york/availability?date=\(ZurichTime.weekday(3, hour: 12).prefix(10))&kind=desk&floorId=ny-park-2", token: ada)
            #expect(newYorkDesks.status == 200)
            #expect(((try JSONSerialization.jsonObject(with: Data(newYorkDesks.text.utf8)) as? [Any])?.count ?? 0) == 25)
        }
    }
}
