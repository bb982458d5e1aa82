import PostgresClient
import Projections

/// `occupancy_by_day`: per resource and site-local day (of a booking's start), the active
/// bookings (placed or checked in), their attendees and booked minutes. Availability screens
/// read one row per resource and day instead of scanning bookings. Kept incrementally as a
/// delta: the touched bookings' contributions are read before and after the batch's writes.
enum OccupancyDelta {
    struct Key: Hashable {
        let resource: String
        let site: String
        let day: String
    }

    struct Contribution {
        var bookings: Int64 = 0
        var attendees: Int64 = 0
        var minutes: Int64 = 0
    }

    /// What these bookings add to occupancy now. The day and minute expressions are the ones the
    /// rebuild's set-based `finish` uses, so both paths agree to the row.
    static func contributions(of bookingIDs: [String], _ target: ProjectionTarget) async throws -> [Key: Contribution] {
        var result: [Key: Contribution] = [:]
        var start = 0
        while start < bookingIDs.count {
            let ids = bookingIDs[start..<min(start + 5_000, bookingIDs.count)]
            start += ids.count
            let placeholders = (1...ids.count).map { "$\($0)" }.joined(separator: ", ")
            let rows = try await target.connection.query("""
                select b.resource_id, b.site_id, \(daySQL(booking: "b", site: "s"))::text, b.attendees::bigint, \(minutesSQL(booking: "b"))
                  from \(try target.table("bookings")) b join \(try target.table("sites")) s on s.site_id = b.site_id
                 where b.booking_id in (\(placeholders)) and b.status in ('placed', 'checked_in')
                """, Array(ids))
            for row in rows {
                let (resource, site, day, attendees, minutes) = try row.decode(String.self, String.self, String.self, Int64.self, Int64.self)
                let key = Key(resource: resource, site: site, day: day)
                result[key, default: Contribution()].bookings += 1
                result[key, default: Contribution()].attendees += attendees
                result[key, default: Contribution()].minutes += minutes
            }
        }
        return result
    }

    /// Adds `after - before` to the rows, then drops the rows left without bookings (a rebuild
    /// has no rows for empty days either).
    static func apply(before: [Key: Contribution], after: [Key: Contribution], _ target: ProjectionTarget) async throws {
        var deltas: [(Key, Contribution)] = []
        for key in Set(before.keys).union(after.keys) {
            let old = before[key] ?? Contribution(), new = after[key] ?? Contribution()
            let delta = Contribution(bookings: new.bookings - old.bookings, attendees: new.attendees - old.attendees, minutes: new.minutes - old.minutes)
            if delta.bookings != 0 || delta.attendees != 0 || delta.minutes != 0 { deltas.append((key, delta)) }
        }
        guard !deltas.isEmpty else { return }
        let table = try target.table("occupancy_by_day")
        var start = 0
        while start < deltas.count {
            let chunk = deltas[start..<min(start + 5_000, deltas.count)]
            start += chunk.count
            var parameters: [any PostgresEncodable] = []
            var values: [String] = []
            for (key, delta) in chunk {
                let base = parameters.count
                values.append("($\(base + 1), $\(base + 2), $\(base + 3)::date, $\(base + 4)::int, $\(base + 5), $\(base + 6))")
                parameters += [key.resource, key.site, key.day, delta.bookings, delta.attendees, delta.minutes]
            }
            try await target.connection.execute("""
                insert into \(table) as o (resource_id, site_id, day, bookings, attendees, booked_minutes)
                values \(values.joined(separator: ", "))
                on conflict (resource_id, day) do update set bookings = o.bookings + excluded.bookings,
                    attendees = o.attendees + excluded.attendees, booked_minutes = o.booked_minutes + excluded.booked_minutes
                """, parameters)
            var keys: [any PostgresEncodable] = []
            var keyValues: [String] = []
            for (key, _) in chunk {
                keyValues.append("($\(keys.count + 1), $\(keys.count + 2)::date)")
                keys += [key.resource, key.day]
            }
            try await target.connection.execute("""
                delete from \(table) o using (values \(keyValues.joined(separator: ", "))) k(resource_id, day)
                 where o.resource_id = k.resource_id and o.day = k.day and o.bookings <= 0
                """, keys)
        }
    }

    /// The site-local calendar day a booking starts on.
    static func daySQL(booking b: String, site s: String) -> String { "(\(b).start_at at time zone \(s).time_zone)::date" }

    static func minutesSQL(booking b: String) -> String { "(extract(epoch from \(b).end_at - \(b).start_at)::bigint / 60)" }

    /// The whole table from `bookings`, for a rebuild's `finish`.
    static func rebuildSQL(_ schema: String) -> String {
        """
        insert into \(schema).occupancy_by_day (resource_id, site_id, day, bookings, attendees, booked_minutes)
        select b.resource_id, b.site_id, \(daySQL(booking: "b", site: "s")), count(*), sum(b.attendees), sum(\(minutesSQL(booking: "b")))
          from \(schema).bookings b join \(schema).sites s on s.site_id = b.site_id
         where b.status in ('placed', 'checked_in')
         group by 1, 2, 3;
        """
    }
}
