import AlmanacEvents
import BookingReadModels
import EventStore
import Foundation
import NATSClient
import PostgresClient
import Projections
import Testing
import TestSupport

@Suite("Booking read models under load", .timeLimit(.minutes(5)))
struct BookingReadModelLoadTests {
    @Test("Given a booking history with policies, cancellations, reschedules, check-ins and no-shows, when projected in batches and rebuilt (folded in memory, or spilling, by one or three readers), then every table is equal, policies are effective and occupancy counts active bookings")
    func givenHistoryWhenProjectedAndRebuiltThenTablesEqual() async throws {
        let harness = try await BookingReadModelHarness.make("rm_load")
        let load = BookingReadModel.SyntheticLoad(events: 4_000, resources: 40)
        let last = try await load.append(to: harness.store)
        var second = load
        second.label = "second"  // more bookings on the same desks and days: occupancy adds up
        second.events = 1_500
        let head = try await second.append(to: harness.store)
        #expect(head > last)

        let projector = Projector(projection: harness.projection, pool: harness.pool, jetStream: harness.nats.jetStream, instance: "load",
                                  settings: .init(batchSize: 700, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: harness.projection.name, toReach: head, pool: harness.pool, timeout: .seconds(120))
        running.cancel()
        _ = await running.result

        try await harness.expectLiveEqualsRebuild(through: head, "incremental vs COPY rebuild")
        // Read in three ranges at once, catalog events applied in stream order afterwards: the same rows.
        try await harness.expectLiveEqualsRebuild(through: head, "incremental vs COPY rebuild by three readers", readers: 3, chunkSize: 1_000)
        // Folds over their budget spill partial rows, merged in SQL at the end: the same rows.
        try await harness.expectLiveEqualsRebuild(through: head, "incremental vs rebuild spilling its folds", readers: 3, chunkSize: 500,
                                                  foldBudget: 600)

        // Policies: the site default (changed after the resources were added) with overrides laid over it.
        let policies = try await harness.pool.query(
            "select resource_id, (policy->>'maximumDurationMinutes')::int, (policy->>'capacity')::int from booking.resource_policies order by resource_id")
        #expect(policies.count == 40)
        for row in policies {
            let (resource, maximum, capacity) = try row.decode(String.self, Int.self, Int.self)
            let overridden = try #require(Int(resource.split(separator: "-").last ?? "")) % 10 == 0
            #expect(maximum == (overridden ? 240 : 480), "\(resource)")
            #expect(capacity == (overridden ? 2 : 1), "\(resource)")
        }
        // Occupancy: one row per resource and day with active bookings, agreeing with the bookings table.
        let disagreeing = try await harness.pool.query("""
            select count(*)::bigint from booking.occupancy_by_day o full join (
                select b.resource_id, (b.start_at at time zone 'Europe/Zurich')::date as day, count(*)::int as bookings
                  from booking.bookings b where b.status in ('placed', 'checked_in') group by 1, 2) c
              on c.resource_id = o.resource_id and c.day = o.day
             where o.bookings is distinct from c.bookings
            """).singleValue(Int64.self)
        #expect(disagreeing == 0)
        let statuses = try await harness.pool.query("select status, count(*)::bigint from booking.bookings group by status order by status")
            .rows.map { try $0.decode(String.self, Int64.self) }
        #expect(Set(statuses.map(\.0)) == ["cancelled", "checked_in", "placed", "released"])
        await harness.close()
    }
}
