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

@Suite("Booking read models", .timeLimit(.minutes(5)))
struct BookingReadModelTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("Given the demo catalog and bookings placed, moved and cancelled through the handler, when projected, then the queries show them; and a rebuild gives the same rows")
    func projectedCatalogAndBookings() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "read-model-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let store = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        let handler = BookingCommandHandler(store: store)
        for command in DemoData.commands() {
            guard case .accepted = await handler.handle(command, actor: DemoData.administrator) else {
                Issue.record("seed \(command.wireName) refused"); return
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(2 * 86_400))
        while calendar.component(.weekday, from: day) != 4 { day = calendar.date(byAdding: .day, value: 1, to: day)! }
        let nine = calendar.date(bySettingHour: 9, minute: 0, second: 0, of: day)!
        let ada = Principal(personId: "ada", roles: [.booker])
        func place(_ id: String, _ desk: String, hours: Double = 2) async -> CommandReply {
            await handler.handle(.place(PlaceBooking(idempotencyKey: id, bookingId: id, siteId: "zurich", resourceId: desk, start: nine,
                                                     end: nine.addingTimeInterval(hours * 3600), bookerTimeZone: "Europe/Lisbon")), actor: ada)
        }
        #expect(await place("b1", "zh-desk-001") .isAccepted)
        #expect(await handler.handle(.cancel(CancelBooking(idempotencyKey: "c1", bookingId: "b1", resourceId: "zh-desk-001")), actor: ada).isAccepted)
        #expect(await place("b2", "zh-desk-002").isAccepted)
        #expect(await handler.handle(.move(MoveBooking(idempotencyKey: "m2", bookingId: "b2", fromResourceId: "zh-desk-002", toResourceId: "zh-desk-003")),
                                     actor: ada).isAccepted)
        let last = try await nats.jetStream.streamInfo(AlmanacStreams.bookings).state.lastSequence

        let database = try await env.makeDatabase(prefix: "readmodel")
        let pool = PostgresPool(PostgresConfiguration(conninfo: database), size: 4)
        _ = try await Migrator(directory: Self.repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        let projection = try BookingReadModel.projection()
        let projector = Projector(projection: projection, pool: pool, jetStream: nats.jetStream, instance: "test",
                                  settings: .init(batchSize: 100, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result

        let queries = BookingReadModelQueries(pool: pool)
        #expect(try await queries.sites().map(\.siteId).sorted() == ["new-york", "zurich"])
        #expect(try await queries.resources(site: "zurich", kind: .desk).count == 100)
        #expect(try await queries.resources(site: "zurich", kind: .desk, attribute: "standing-desk").allSatisfy { $0.attributes.contains("standing-desk") })
        let mine = try await queries.bookings(of: "ada", endingAfter: Date())
        #expect(mine.map(\.bookingId) == ["b1", "b2"])
        #expect(mine.first { $0.bookingId == "b1" }?.status == "cancelled")
        #expect(mine.first { $0.bookingId == "b2" }?.resourceId == "zh-desk-003")
        #expect(mine.first { $0.bookingId == "b2" }?.bookerTimeZone == "Europe/Lisbon")
        let active = try await queries.activeBookings(resources: ["zh-desk-001", "zh-desk-002", "zh-desk-003"], from: nine, to: nine.addingTimeInterval(3600))
        #expect(active.map(\.bookingId) == ["b2"])

        // The same stream rebuilt into fresh tables gives the same rows, table by table.
        let rebuilt = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: nats.jetStream).run(.toSequence(last))
        for table in BookingReadModel.tables {
            #expect(try await checksum(pool, schema: projection.name, table: table) == checksum(pool, schema: rebuilt.schema, table: table), "\(table)")
        }
        await pool.close()
        nats.close()
        await server.stop()
    }

    /// The table's rows as text, ordered, hashed: equal content gives equal checksums.
    func checksum(_ pool: PostgresPool, schema: String, table: String) async throws -> String {
        let name = try PostgresIdentifier.quote(qualified: [schema, table])
        return try await pool.query("select coalesce(md5(string_agg(t::text, '|' order by t::text)), 'empty') from \(name) t").singleValue(String.self) ?? "empty"
    }
}

extension CommandReply {
    var isAccepted: Bool { if case .accepted = self { true } else { false } }
}
