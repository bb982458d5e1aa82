import Booking
import Foundation
import PostgresClient
import Projections

extension BookingReadModel.SyntheticLoad {
    /// What PostgreSQL alone can do with the rows a rebuild writes for this load: the bookings'
    /// final rows, folded in memory from the same history (without NATS or JSON, not timed),
    /// then COPYed into a bare copy of `bookings` in `schema` (no keys or indexes) — the timed
    /// part. Answers the rows written and the seconds the COPY took.
    public func copyBookingRows(into schema: String, pool: PostgresPool) async throws -> (rows: Int, seconds: Double) {
        let fold = BookingRebuildFold()
        let bookingEvents = max(0, events - catalogEvents().count)
        var sequence = UInt64(catalogEvents().count)
        for resource in 0..<resources {
            let share = bookingEvents / resources + (resource < bookingEvents % resources ? 1 : 0)
            for payload in bookings(on: resource, count: share) {
                sequence += 1
                if let event = BookingEvent(payload: payload) { _ = try fold.add(event, sequence: sequence) }
            }
        }
        let quoted = try PostgresIdentifier.quote(schema)
        try await pool.executeScript("create schema \(quoted);\n" + BookingReadModel.bookingsTableSQL(quoted))
        let started = ContinuousClock.now
        try await pool.withConnection { connection in
            try await BookingReadModel.copyBookings(of: 0, in: [fold], schema: schema, connection: connection)
        }
        return (fold.count, ProjectionRebuild.seconds(since: started))
    }
}
