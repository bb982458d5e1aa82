import Booking
import Foundation
import PostgresClient

extension BookingReadModelQueries {
    /// Slot-holding bookings (placed or checked in) of one kind of resource over some site-local days.
    public struct BookedUsage: Sendable, Equatable {
        public var bookings: Int
        public var bookedMinutes: Int
    }

    /// Per resource kind, the site's slot-holding bookings starting on `from...through`
    /// (site-local days), summed from `occupancy_by_day`: one row per resource and day instead
    /// of every booking. Kinds without bookings are absent.
    public func bookedUsage(site: String, from: LocalDate, through: LocalDate) async throws -> [String: BookedUsage] {
        var usage: [String: BookedUsage] = [:]
        for row in try await pool.query("""
            select r.kind, sum(o.bookings)::bigint, sum(o.booked_minutes)::bigint
              from \(schema).occupancy_by_day o join \(schema).resources r on r.resource_id = o.resource_id
             where o.site_id = $1 and o.day between $2::date and $3::date
             group by r.kind
            """, [site, from.description, through.description]).rows {
            let (kind, bookings, minutes) = try row.decode(String.self, Int64.self, Int64.self)
            usage[kind] = BookedUsage(bookings: Int(bookings), bookedMinutes: Int(minutes))
        }
        return usage
    }

    /// Bookings of the site released as no-shows that were to start in [from, to).
    public func noShowsReleased(site: String, from: Date, to: Date) async throws -> Int {
        Int(try await pool.query("""
            select count(*)::bigint from \(schema).bookings where site_id = $1 and status = 'released' and start_at >= $2 and start_at < $3
            """, [site, from, to]).singleValue(Int64.self) ?? 0)
    }
}
