import Booking
import Foundation
import PostgresClient

/// Queries over the booking read models, for the booking page and API. Every value is a
/// parameter; the schema is the projection's (swapped in place by a rebuild).
public struct BookingReadModelQueries: Sendable {
    let pool: PostgresPool
    let schema: String

    public init(pool: PostgresPool, schema: String = BookingReadModel.name) {
        self.pool = pool
        self.schema = schema
    }

    public struct Site: Sendable, Equatable {
        public let siteId: String, name: String, country: String, timeZone: String
    }

    public struct Resource: Sendable, Equatable {
        public let resourceId: String, siteId: String, floorId: String, name: String, kind: String, seats: Int?, attributes: [String]
    }

    public struct Booking: Sendable, Equatable {
        public let bookingId: String, resourceId: String, siteId: String, personId: String, kind: String
        public let start: Date, end: Date, attendees: Int, status: String, bookerTimeZone: String
    }

    public func sites() async throws -> [Site] {
        try await pool.query("select site_id, name, country, time_zone from \(schema).sites order by name").rows.map(Self.site(from:))
    }

    /// One site, or nil when there is none with that id.
    public func site(_ siteId: String) async throws -> Site? {
        try await pool.query("select site_id, name, country, time_zone from \(schema).sites where site_id = $1", [siteId]).rows.first.map(Self.site(from:))
    }

    private static func site(from row: PostgresRow) throws -> Site {
        Site(siteId: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1),
             country: try row.decode(String.self, at: 2), timeZone: try row.decode(String.self, at: 3))
    }

    /// Bookable resources of a site, optionally of one kind, on one floor, with an attribute.
    public func resources(site: String, kind: ResourceKind? = nil, floor: String? = nil, attribute: String? = nil) async throws -> [Resource] {
        try await pool.query("""
            select resource_id, site_id, floor_id, name, kind, seats, attributes::text from \(schema).resources
             where site_id = $1 and not removed and ($2::text is null or kind = $2) and ($3::text is null or floor_id = $3)
               and ($4::text is null or attributes ? $4)
             order by floor_id, name
            """, [site, kind?.rawValue, floor, attribute]).rows.map {
            Resource(resourceId: try $0.decode(String.self, at: 0), siteId: try $0.decode(String.self, at: 1), floorId: try $0.decode(String.self, at: 2),
                     name: try $0.decode(String.self, at: 3), kind: try $0.decode(String.self, at: 4), seats: try $0.decode(Int?.self, at: 5),
                     attributes: try JSONDecoder().decode([String].self, from: Data(try $0.decode(String.self, at: 6).utf8)))
        }
    }

    /// Active (placed or checked-in) bookings of `resources` that overlap [from, to).
    public func activeBookings(resources: [String], from: Date, to: Date) async throws -> [Booking] {
        guard !resources.isEmpty else { return [] }
        return try await bookings(where: "resource_id = any(string_to_array($1, ',')) and status in ('placed', 'checked_in') and start_at < $3 and end_at > $2",
                                  [resources.joined(separator: ","), from, to])
    }

    /// A person's bookings ending after `after` (all states), soonest first.
    public func bookings(of person: String, endingAfter after: Date) async throws -> [Booking] {
        try await bookings(where: "person_id = $1 and end_at > $2", [person, after])
    }

    private func bookings(where condition: String, _ parameters: [any PostgresEncodable]) async throws -> [Booking] {
        try await pool.query("""
            select booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, status, booker_time_zone
              from \(schema).bookings where \(condition) order by start_at, booking_id
            """, parameters).rows.map {
            Booking(bookingId: try $0.decode(String.self, at: 0), resourceId: try $0.decode(String.self, at: 1), siteId: try $0.decode(String.self, at: 2),
                    personId: try $0.decode(String.self, at: 3), kind: try $0.decode(String.self, at: 4), start: try $0.decode(Date.self, at: 5),
                    end: try $0.decode(Date.self, at: 6), attendees: try $0.decode(Int.self, at: 7), status: try $0.decode(String.self, at: 8),
                    bookerTimeZone: try $0.decode(String.self, at: 9))
        }
    }
}
