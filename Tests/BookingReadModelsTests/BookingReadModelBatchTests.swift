import AlmanacEvents
import Booking
import BookingReadModels
import EventStore
import Foundation
import NATSClient
import PostgresClient
import Projections
import Testing
import TestSupport

/// The incremental path folds each batch's operations per booking in SQL; these histories put
/// one booking's operations in every order the fold has to get right, cut into batches of
/// several sizes (so a booking's operations fall in one batch or straddle several).
@Suite("Booking read model batches", .timeLimit(.minutes(5)))
struct BookingReadModelBatchTests {
    static let day1 = Date(timeIntervalSince1970: 1_799_740_800)  // 2027-01-12 08:00 UTC
    static let day2 = day1.addingTimeInterval(86_400)
    static let desk1 = "load-desk-0", desk2 = "load-desk-1", site = "load-site"

    static func placed(_ id: String, on desk: String, at start: Date, attendees: Int = 1) -> BookingPlaced {
        BookingPlaced(bookingId: id, resourceId: desk, siteId: site, personId: "ada", kind: .desk, start: start,
                      end: start.addingTimeInterval(3_600), attendees: attendees, bookerTimeZone: "Europe/Zurich")
    }

    static func movedIn(_ id: String, to desk: String, from other: String, at start: Date, attendees: Int) -> BookingMovedIn {
        BookingMovedIn(bookingId: id, resourceId: desk, fromResourceId: other, siteId: site, personId: "someone-else", kind: .desk,
                       start: start, end: start.addingTimeInterval(3_600), attendees: attendees, bookerTimeZone: "UTC")
    }

    /// (subject's resource, event) in stream order.
    static let history: [(String, any Sendable)] = [
        (desk1, BookingCancelled(bookingId: "b2", resourceId: desk1, cancelledBy: "ada")),  // before b2 exists: changes nothing
        (desk1, placed("b1", on: desk1, at: day1)),
        (desk1, placed("b2", on: desk1, at: day1.addingTimeInterval(3_600))),
        (desk1, BookingRescheduled(bookingId: "b1", resourceId: desk1, start: day1.addingTimeInterval(1_800), end: day1.addingTimeInterval(5_400))),
        (desk1, BookingMovedOut(bookingId: "b1", resourceId: desk1, toResourceId: desk2)),
        (desk2, movedIn("b1", to: desk2, from: desk1, at: day1.addingTimeInterval(1_800), attendees: 2)),
        (desk2, BookingCheckedIn(bookingId: "b1", resourceId: desk2, checkedInAt: day1.addingTimeInterval(2_000))),
        (desk2, placed("b3", on: desk2, at: day2)),
        (desk2, BookingCancelled(bookingId: "b1", resourceId: desk2, cancelledBy: "ada")),
        (desk2, BookingReleasedAsNoShow(bookingId: "b3", resourceId: desk2, releasedBy: "load-system")),
        (desk1, placed("b4", on: desk1, at: day1.addingTimeInterval(7_200))),
        (desk1, BookingRescheduled(bookingId: "b2", resourceId: desk1, start: day2, end: day2.addingTimeInterval(3_600))),
        (desk1, BookingCheckedIn(bookingId: "b2", resourceId: desk1, checkedInAt: day2.addingTimeInterval(60))),
        (desk1, BookingMovedOut(bookingId: "b4", resourceId: desk1, toResourceId: desk2)),
        (desk2, movedIn("b4", to: desk2, from: desk1, at: day1.addingTimeInterval(7_200), attendees: 1)),
    ]

    @Test("Given one booking's operations in every order (a change before it exists, moves, reschedules, check-in then cancel), when projected in batches of 1, 4 and 100, then the rows are the stream-order result and equal a fresh rebuild (one reader, four, or spilling)",
          arguments: [1, 4, 100])
    func givenOperationsInEveryOrderWhenProjectedInBatchesThenStreamOrderResult(batchSize: Int) async throws {
        let harness = try await BookingReadModelHarness.make("rm_batch\(batchSize)")
        try await BookingReadModel.SyntheticLoad(events: 0, resources: 2).append(to: harness.store)
        var head: UInt64 = 0
        for (desk, event) in Self.history {
            head = try await harness.store.append([event], to: "bookings.resource.\(desk)", expecting: .any).lastSequence
        }
        let projector = Projector(projection: harness.projection, pool: harness.pool, jetStream: harness.nats.jetStream, instance: "batch",
                                  settings: .init(batchSize: batchSize, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: harness.projection.name, toReach: head, pool: harness.pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result

        let bookings = try await harness.pool.query("""
            select booking_id, resource_id, person_id, status, attendees, (checked_in_at is not null), extract(epoch from start_at)::bigint
              from booking.bookings order by booking_id
            """).rows.map { try $0.decode(String.self, String.self, String.self, String.self, Int.self, Bool.self, Int64.self) }
        let expected: [(String, String, String, String, Int, Bool, Int64)] = [
            ("b1", Self.desk2, "ada", "cancelled", 2, true, Int64(Self.day1.timeIntervalSince1970) + 1_800),
            ("b2", Self.desk1, "ada", "checked_in", 1, true, Int64(Self.day2.timeIntervalSince1970)),
            ("b3", Self.desk2, "ada", "released", 1, false, Int64(Self.day2.timeIntervalSince1970)),
            ("b4", Self.desk2, "ada", "placed", 1, false, Int64(Self.day1.timeIntervalSince1970) + 7_200),
        ]
        #expect(bookings.count == expected.count)
        for (row, want) in zip(bookings, expected) {
            #expect("\(row)" == "\(want)", "batches of \(batchSize)")
        }
        let occupancy = try await harness.pool.query(
            "select resource_id, day::text, bookings from booking.occupancy_by_day order by resource_id, day"
        ).rows.map { try $0.decode(String.self, String.self, Int.self) }
        #expect(occupancy.map { "\($0.0) \($0.1) \($0.2)" } == ["\(Self.desk1) 2027-01-13 1", "\(Self.desk2) 2027-01-12 1"], "batches of \(batchSize)")
        try await harness.expectLiveEqualsRebuild(through: head, "batches of \(batchSize) vs COPY rebuild")
        // Each reader folds a few events, so a booking's operations are split across folds and merged.
        try await harness.expectLiveEqualsRebuild(through: head, "batches of \(batchSize) vs rebuild by four readers", readers: 4, chunkSize: 1)
        try await harness.expectLiveEqualsRebuild(through: head, "batches of \(batchSize) vs rebuild spilling every event", readers: 2, chunkSize: 1,
                                                  foldBudget: 1)
        await harness.close()
    }
}
