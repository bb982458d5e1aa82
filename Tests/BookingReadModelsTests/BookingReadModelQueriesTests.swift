import AlmanacEvents
import Booking
import BookingReadModels
import BookingService
import CommandBus
import EventStore
import Foundation
import NATSClient
import PostgresClient
import Projections
import Testing
import TestSupport

@Suite("Booking read model queries in the domain's shape", .timeLimit(.minutes(5)))
struct BookingReadModelQueriesTests {
    @Test("Given the demo catalog with a policy change, a restriction and bookings placed, changed, moved and cancelled, when projected, then each site state and each resource's occupancy equal the aggregates'")
    func readModelEqualsAggregates() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "read-model-queries-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let store = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        let handler = BookingCommandHandler(store: store)
        let admin = DemoData.administrator
        var commands = DemoData.commands()
        commands.append(.setResourcePolicy(SetResourcePolicy(idempotencyKey: "policy", siteId: "zurich", resourceId: "zh-room-1",
                                                             policyOverride: PolicyOverride(bufferBeforeMinutes: 15, capacity: 1))))
        commands.append(.restrictResource(RestrictResource(idempotencyKey: "restrict", siteId: "zurich", resourceId: "zh-desk-010",
                                                           groupIds: [DemoData.executiveParkingGroup])))
        for command in commands {
            guard case .accepted = await handler.handle(command, actor: admin) else { Issue.record("\(command.wireName) refused"); return }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(2 * 86_400))
        while calendar.component(.weekday, from: day) != 4 { day = calendar.date(byAdding: .day, value: 1, to: day)! }
        let nine = calendar.date(bySettingHour: 9, minute: 0, second: 0, of: day)!
        let ada = Principal(personId: "ada", roles: [.booker]), ben = Principal(personId: "ben", roles: [.booker])
        let steps: [(BookingCommand, Principal)] = [
            (.place(PlaceBooking(idempotencyKey: "p1", bookingId: "p1", siteId: "zurich", resourceId: "zh-desk-001", start: nine,
                                 end: nine.addingTimeInterval(7200), bookerTimeZone: "Europe/Zurich")), ada),
            (.place(PlaceBooking(idempotencyKey: "p2", bookingId: "p2", siteId: "zurich", resourceId: "zh-room-1", start: nine,
                                 end: nine.addingTimeInterval(3600), attendees: 3, bookerTimeZone: "Europe/Zurich")), ben),
            (.changeTime(ChangeBookingTime(idempotencyKey: "c2", bookingId: "p2", resourceId: "zh-room-1", start: nine.addingTimeInterval(3600),
                                           end: nine.addingTimeInterval(7200))), ben),
            (.place(PlaceBooking(idempotencyKey: "p3", bookingId: "p3", siteId: "zurich", resourceId: "zh-room-2", start: nine,
                                 end: nine.addingTimeInterval(3600), bookerTimeZone: "Europe/Zurich")), ada),
            (.cancel(CancelBooking(idempotencyKey: "x3", bookingId: "p3", resourceId: "zh-room-2")), ada),
            (.place(PlaceBooking(idempotencyKey: "p4", bookingId: "p4", siteId: "zurich", resourceId: "zh-desk-002", start: nine,
                                 end: nine.addingTimeInterval(3600), bookerTimeZone: "Europe/Zurich")), ben),
            (.move(MoveBooking(idempotencyKey: "m4", bookingId: "p4", fromResourceId: "zh-desk-002", toResourceId: "zh-desk-003")), ben),
        ]
        for (command, actor) in steps {
            let reply = await handler.handle(command, actor: actor)
            guard case .accepted = reply else { Issue.record("\(command.wireName): \(reply)"); return }
        }
        let last = try #require(try await nats.jetStream.streamInfo(AlmanacStreams.bookings).state.lastSequence)

        let pool = PostgresPool(PostgresConfiguration(conninfo: try await env.makeDatabase(prefix: "readmodelqueries")), size: 2)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        _ = try await Migrator(directory: root.appendingPathComponent("schemas/sql")).migrate(pool)
        let projection = try BookingReadModel.projection()
        let projector = Projector(projection: projection, pool: pool, jetStream: nats.jetStream, instance: "queries-test",
                                  settings: .init(batchSize: 100, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result

        let queries = BookingReadModelQueries(pool: pool)
        let aggregates = BookingAggregates(store: store)
        for site in ["zurich", "new-york"] {
            let fromReadModel = try #require(try await queries.siteState(site))
            let fromAggregate = try await aggregates.site(site)
            #expect(fromReadModel == fromAggregate, "\(site)")
        }
        #expect(try await queries.siteState("atlantis") == nil)
        let resources = ["zh-desk-001", "zh-desk-002", "zh-desk-003", "zh-room-1", "zh-room-2"]
        let occupancy = try await queries.occupancy(resources: resources, from: nine.addingTimeInterval(-86_400), to: nine.addingTimeInterval(86_400))
        for resource in resources {
            let expected = try await aggregates.resource(resource).activeBookings
            let actual = occupancy[resource]?.activeBookings ?? []
            // The aggregate keeps a check-in time and status; the read model's occupancy is what holds the slot.
            #expect(actual.map(\.bookingId) == expected.map(\.bookingId), "\(resource)")
            #expect(actual.map { [$0.start, $0.end] } == expected.map { [$0.start, $0.end] }, "\(resource)")
            #expect(actual.map(\.attendees) == expected.map(\.attendees), "\(resource)")
        }
        #expect(try await queries.currentBookings(of: "ada", endingAfter: Date()).map(\.bookingId) == ["p1"])
        #expect(try await queries.currentBookings(of: "ben", endingAfter: Date()).map { "\($0.bookingId)@\($0.resourceId)" }.sorted() == ["p2@zh-room-1", "p4@zh-desk-003"])
        await pool.close()
        nats.close()
        await server.stop()
    }
}
