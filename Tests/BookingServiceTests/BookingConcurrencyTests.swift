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

/// Handler replicas against their own nats-server, seeded with the demo catalog through the
/// same handler, and clients that send commands over NATS as the web app does.
struct BookingCluster {
    let server: LocalNATSServer
    let admin: NATSConnection
    let replicas: [NATSConnection]
    let serving: [Task<Void, any Error>]
    let client: CommandClient

    static func start(replicas count: Int) async throws -> BookingCluster {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let admin = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "booking-test"))
        try await AlmanacStreams.ensure(on: admin.jetStream)
        var replicas: [NATSConnection] = []
        var serving: [Task<Void, any Error>] = []
        for index in 0..<count {
            let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "booking-\(index)"))
            let store = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let commandServer = try BookingCommandServer.make(connection: nats, handler: BookingCommandHandler(store: store))
            try await nats.flush()
            replicas.append(nats)
            serving.append(Task { try await commandServer.run() })
        }
        let cluster = BookingCluster(server: server, admin: admin, replicas: replicas, serving: serving,
                                     client: CommandClient(connection: admin, prefix: BookingCommandCodec.prefix))
        for command in DemoData.commands() {
            let reply = try await cluster.send(command, as: DemoData.administrator)
            guard case .accepted = reply else { throw SeedFailure(reply: reply, command: command.wireName) }
        }
        return cluster
    }

    struct SeedFailure: Error { let reply: CommandReply; let command: String }

    func send(_ command: BookingCommand, as actor: Principal) async throws -> CommandReply {
        let (name, body) = try BookingCommandCodec.encode(command)
        return try await client.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: actor.personId,
                                                    actorRoles: actor.roles.map(\.rawValue), actorGroups: Array(actor.groups), body: body))
    }

    func stop() async {
        serving.forEach { $0.cancel() }
        replicas.forEach { $0.close() }
        admin.close()
        await server.stop()
    }

    /// Every `booking.placed` in the log, read straight from the stream.
    func placedBookings() async throws -> [BookingPlaced] {
        let store = EventStore(jetStream: admin.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        var placed: [BookingPlaced] = []
        for try await batch in try await store.subscribe(filter: BookingSubjects.allResources, mode: .untilCaughtUp) {
            placed += batch.compactMap { $0.event(as: BookingPlaced.self) }
        }
        return placed
    }

    /// Projects the whole log into the booking read model of a fresh database, as the projector
    /// process does, and hands back a pool on it (the caller closes it).
    func projectIntoReadModel() async throws -> PostgresPool {
        let env = try await TestServers.shared()
        let pool = PostgresPool(PostgresConfiguration(conninfo: try await env.makeDatabase(prefix: "concurrency")), size: 2)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        _ = try await Migrator(directory: root.appendingPathComponent("schemas/sql")).migrate(pool)
        let projection = try BookingReadModel.projection()
        let projector = Projector(projection: projection, pool: pool, jetStream: admin.jetStream, instance: "concurrency-test",
                                  settings: .init(batchSize: 500, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        let last = try await admin.jetStream.streamInfo(AlmanacStreams.bookings).state.lastSequence
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result
        return pool
    }

    /// 09:00 local on the next Wednesday at least two days ahead, in `zone`.
    static func nextWednesday(at hour: Int, in zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        var day = calendar.startOfDay(for: Date().addingTimeInterval(2 * 86_400))
        while calendar.component(.weekday, from: day) != 4 { day = calendar.date(byAdding: .day, value: 1, to: day)! }
        return calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day)!
    }
}

@Suite("Booking command handling under concurrency", .timeLimit(.minutes(5)))
struct BookingConcurrencyTests {
    @Test("64 clients, 3 handler replicas, overlapping bookings on 20 desks: no desk is ever double booked, every client gets success or a typed conflict")
    func noDoubleBooking() async throws {
        let cluster = try await BookingCluster.start(replicas: 3)
        let desks = (1...20).map { "zh-desk-\(String(format: "%03d", $0))" }
        let nine = BookingCluster.nextWednesday(at: 9, in: "Europe/Zurich")
        let replies = try await withThrowingTaskGroup(of: [CommandReply].self) { group in
            for client in 0..<64 {
                group.addTask {
                    let person = Principal(personId: "person-\(client)", roles: [.booker])
                    var replies: [CommandReply] = []
                    // Two attempts each, shifted by an hour so windows overlap without being equal.
                    for attempt in 0..<2 {
                        let start = nine.addingTimeInterval(Double((client + attempt) % 3) * 3600)
                        let key = "race-\(client)-\(attempt)"
                        let command = BookingCommand.place(PlaceBooking(
                            idempotencyKey: key, bookingId: key, siteId: "zurich", resourceId: desks[(client * 7 + attempt) % desks.count],
                            start: start, end: start.addingTimeInterval(3 * 3600), bookerTimeZone: "Europe/Zurich"))
                        replies.append(try await cluster.send(command, as: person))
                    }
                    return replies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let placed = try await cluster.placedBookings()
        let readModel = try await cluster.projectIntoReadModel()
        let overCapacity = try await ReadModelCheck.slotsOverCapacity(readModel)
        let overDailyLimit = try await ReadModelCheck.peopleOverDailyLimit(readModel)
        let activeInReadModel = try await ReadModelCheck.activeBookings(readModel)
        await readModel.close()
        await cluster.stop()

        #expect(overCapacity.isEmpty, "the read model shows slots over capacity: \(overCapacity.prefix(3))")
        #expect(overDailyLimit.isEmpty, "the read model shows people over their daily limit: \(overDailyLimit.prefix(3))")
        let unexpected = replies.filter {
            switch $0 {
            case .accepted: false
            case .rejected(let code, _, _): !["slot_taken", "conflict", "daily_limit_reached"].contains(code)
            case .failed: true
            }
        }
        #expect(unexpected.isEmpty, "every reply is success or a typed conflict: \(unexpected.prefix(3))")
        let accepted = replies.filter { if case .accepted = $0 { true } else { false } }.count
        #expect(accepted == placed.count, "each acceptance is exactly one booking in the log")
        #expect(activeInReadModel == accepted, "each acceptance is exactly one active booking in the read model")
        #expect(accepted > 0)
        // The log itself: on each desk (capacity 1, no buffers) no two bookings overlap.
        for (desk, bookings) in Dictionary(grouping: placed, by: \.resourceId) {
            let sorted = bookings.sorted { $0.start < $1.start }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                #expect(earlier.end <= later.start, "\(desk) double booked: \(earlier.bookingId) and \(later.bookingId)")
            }
        }
    }

    @Test("one person racing from 64 clients for 20 different desks on one day gets exactly one (desks allow one per person per day)")
    func perPersonDailyLimitHolds() async throws {
        let cluster = try await BookingCluster.start(replicas: 3)
        let nine = BookingCluster.nextWednesday(at: 9, in: "Europe/Zurich")
        let person = Principal(personId: "eager-person", roles: [.booker])
        let replies = try await withThrowingTaskGroup(of: CommandReply.self) { group in
            for client in 0..<64 {
                group.addTask {
                    let key = "eager-\(client)"
                    let command = BookingCommand.place(PlaceBooking(
                        idempotencyKey: key, bookingId: key, siteId: "zurich", resourceId: "zh-desk-\(String(format: "%03d", client % 20 + 1))",
                        start: nine, end: nine.addingTimeInterval(2 * 3600), bookerTimeZone: "Europe/Zurich"))
                    return try await cluster.send(command, as: person)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let placed = try await cluster.placedBookings()
        let readModel = try await cluster.projectIntoReadModel()
        let overDailyLimit = try await ReadModelCheck.peopleOverDailyLimit(readModel)
        let overCapacity = try await ReadModelCheck.slotsOverCapacity(readModel)
        let eagerInReadModel = try await readModel.query(
            "select count(*) from booking.bookings where person_id = $1 and status in ('placed', 'checked_in')", ["eager-person"]).singleValue(Int.self)
        await readModel.close()
        await cluster.stop()
        #expect(overDailyLimit.isEmpty, "the read model shows people over their daily limit: \(overDailyLimit.prefix(3))")
        #expect(overCapacity.isEmpty, "\(overCapacity.prefix(3))")
        #expect(eagerInReadModel == 1)
        #expect(replies.filter { if case .accepted = $0 { true } else { false } }.count == 1)
        #expect(placed.filter { $0.personId == "eager-person" }.count == 1)
        let others = replies.filter { if case .rejected(let code, _, _) = $0 { !["daily_limit_reached", "conflict", "slot_taken"].contains(code) } else { false } }
        #expect(others.isEmpty, "\(others.prefix(3))")
        #expect(!replies.contains { if case .failed = $0 { true } else { false } })
    }

    @Test("the read-model checks are not vacuous: a buffer overlap and a second desk on one day are both reported, a cancelled booking is not")
    func readModelChecksFindViolations() async throws {
        let env = try await TestServers.shared()
        let pool = PostgresPool(PostgresConfiguration(conninfo: try await env.makeDatabase(prefix: "readmodelcheck")), size: 1)
        let schema = try PostgresIdentifier.quote(BookingReadModel.name)
        try await pool.executeScript("create schema \(schema);\n" + (try BookingReadModel.projection()).createTables(schema))
        try await pool.execute("""
            insert into booking.sites (site_id, name, country, time_zone, opening_hours, policy)
            values ('zurich', 'Zürich', 'CH', 'Europe/Zurich', '[]', '{"capacity": 1, "bufferBeforeMinutes": 0, "bufferAfterMinutes": 0}')
            """)
        try await pool.execute("""
            insert into booking.resources (resource_id, site_id, floor_id, name, kind, attributes, restricted_to, policy_override)
            values ('desk', 'zurich', 'floor', 'Desk', 'desk', '[]', '[]', '{"bufferAfterMinutes": 10, "maximumBookingsPerDay": 1}')
            """)
        let nine = BookingCluster.nextWednesday(at: 9, in: "Europe/Zurich")
        // 09:00–10:00 and 10:05–11:00: apart by themselves, overlapping once the 10-minute buffer counts.
        for (id, start, end, status) in [("b1", 0.0, 60.0, "placed"), ("b2", 65.0, 120.0, "checked_in"), ("b3", 0.0, 60.0, "cancelled")] {
            try await pool.execute("""
                insert into booking.bookings (booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, last_sequence)
                values ($1, 'desk', 'zurich', 'ada', 'desk', $2, $3, 1, 'Europe/Zurich', $4, 1)
                """, [id, nine.addingTimeInterval(start * 60), nine.addingTimeInterval(end * 60), status])
        }
        let overCapacity = try await ReadModelCheck.slotsOverCapacity(pool)
        let overDailyLimit = try await ReadModelCheck.peopleOverDailyLimit(pool)
        let active = try await ReadModelCheck.activeBookings(pool)
        await pool.close()
        #expect(overCapacity.count == 1, "\(overCapacity)")
        #expect(overDailyLimit.count == 1, "\(overDailyLimit)")
        #expect(active == 2)
    }

    @Test("a retried place command returns the first booking and appends nothing; bad input is a typed rejection")
    func retryAndBadInput() async throws {
        let cluster = try await BookingCluster.start(replicas: 1)
        let nine = BookingCluster.nextWednesday(at: 9, in: "Europe/Zurich")
        let person = Principal(personId: "retrying-person", roles: [.booker])
        let command = BookingCommand.place(PlaceBooking(idempotencyKey: "once", bookingId: "once", siteId: "zurich", resourceId: "zh-desk-001",
                                                        start: nine, end: nine.addingTimeInterval(3600), bookerTimeZone: "Europe/Zurich"))
        let first = try await cluster.send(command, as: person)
        let again = try await cluster.send(command, as: person)
        guard case .accepted(let sequences, false) = first else { Issue.record("first: \(first)"); await cluster.stop(); return }
        #expect(again == .accepted(sequences: sequences, duplicate: true))

        let offGrid = BookingCommand.place(PlaceBooking(idempotencyKey: "grid", bookingId: "grid", siteId: "zurich", resourceId: "zh-desk-002",
                                                        start: nine.addingTimeInterval(7 * 60), end: nine.addingTimeInterval(3600), bookerTimeZone: "Europe/Zurich"))
        let rejected = try await cluster.send(offGrid, as: person)
        if case .rejected(let code, let message, let field) = rejected {
            #expect(code == "off_slot_grid")
            #expect(field == "start")
            #expect(!message.isEmpty)
        } else {
            Issue.record("expected a rejection, got \(rejected)")
        }
        let unknown = try await cluster.client.send(CommandRequest(name: "teleport", idempotencyKey: "x", actor: "p", body: Array("{}".utf8)))
        #expect(unknown == .rejected(code: "invalid_input", message: "unknown booking command teleport", field: nil))
        let malformed = try await cluster.client.send(CommandRequest(name: "place", idempotencyKey: "x", actor: "p", body: Array(#"{"bookingId":1}"#.utf8)))
        if case .rejected("invalid_input", let message, _) = malformed { #expect(message.contains("place")) } else { Issue.record("\(malformed)") }
        #expect(try await cluster.placedBookings().count == 1)
        await cluster.stop()
    }
}

/// The consistency rules checked in SQL over the booking read model, independent of the
/// domain code: what an auditor with only the database would run.
enum ReadModelCheck {
    /// Each active booking's occupation (buffers included) with the resource's effective
    /// capacity: the resource's override, else the site's policy.
    static let occupations = """
        with active as (
            select b.booking_id, b.resource_id, b.person_id, b.kind, b.start_at, s.time_zone,
                   b.start_at - make_interval(mins => coalesce((r.policy_override->>'bufferBeforeMinutes')::int, (s.policy->>'bufferBeforeMinutes')::int, 0)) as occupied_from,
                   b.end_at + make_interval(mins => coalesce((r.policy_override->>'bufferAfterMinutes')::int, (s.policy->>'bufferAfterMinutes')::int, 0)) as occupied_until,
                   coalesce((r.policy_override->>'capacity')::int, (s.policy->>'capacity')::int, 1) as capacity,
                   coalesce((r.policy_override->>'maximumBookingsPerDay')::int, (s.policy->>'maximumBookingsPerDay')::int) as daily_limit
              from booking.bookings b join booking.resources r on r.resource_id = b.resource_id join booking.sites s on s.site_id = b.site_id
             where b.status in ('placed', 'checked_in'))
        """

    /// Resource and instant where more occupations overlap than the capacity allows. The most
    /// overlapping occupations are found at some occupation's start, so checking each start suffices.
    static func slotsOverCapacity(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(occupations + """
            select a.resource_id || ' at ' || a.occupied_from::text || ': ' || count(*)::text || ' > ' || a.capacity::text
              from active a join active o on o.resource_id = a.resource_id and o.occupied_from <= a.occupied_from and a.occupied_from < o.occupied_until
             group by a.booking_id, a.resource_id, a.occupied_from, a.capacity
            having count(*) > a.capacity
            """).rows.map { try $0.decode(String.self, at: 0) }
    }

    /// Person, kind and site-local day with more active bookings than the daily limit.
    static func peopleOverDailyLimit(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(occupations + """
            select person_id || ' ' || kind || ' on ' || (start_at at time zone time_zone)::date::text || ': ' || count(*)::text
              from active where daily_limit is not null
             group by person_id, kind, (start_at at time zone time_zone)::date
            having count(*) > min(daily_limit)
            """).rows.map { try $0.decode(String.self, at: 0) }
    }

    static func activeBookings(_ pool: PostgresPool) async throws -> Int {
        try await pool.query("select count(*) from booking.bookings where status in ('placed', 'checked_in')").singleValue(Int.self) ?? -1
    }
}
