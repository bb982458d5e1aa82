import Booking
import PostgresClient

extension BookingReadModel.SyntheticLoad {
    /// The rows a COPY rebuild writes to `booking_load` for this load's booking events, made in
    /// memory without NATS or JSON: what a benchmark COPYs to measure PostgreSQL's own limit for
    /// the same rows. Generated lazily, one resource's history at a time, so a million rows
    /// never sit in memory at once.
    public func bookingLoadRows() -> some Sequence<[any PostgresEncodable]> {
        let bookingEvents = max(0, events - catalogEvents().count)
        var sequence: Int64 = 0
        return (0..<resources).lazy.flatMap { resource -> [[any PostgresEncodable]] in
            let share = bookingEvents / resources + (resource < bookingEvents % resources ? 1 : 0)
            return bookings(on: resource, count: share).flatMap { payload -> [[any PostgresEncodable]] in
                sequence += 1
                return BookingEvent(payload: payload).flatMap { BookingReadModel.loadRows($0, sequence: sequence) } ?? []
            }
        }
    }
}
