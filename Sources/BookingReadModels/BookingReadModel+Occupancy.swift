/// `occupancy_by_day`: per resource and site-local day (of a booking's start), the active
/// bookings (placed or checked in), their attendees and booked minutes. Availability screens
/// read one row per resource and day instead of scanning bookings. Kept incrementally as a
/// delta of the touched bookings' contributions before and after each batch
/// (`BatchStaging.deltaSQL`); built whole by a rebuild's `finish` (`rebuildSQL`).
enum OccupancyDelta {
    /// The site-local calendar day a booking starts on.
    static func daySQL(booking b: String, site s: String) -> String { daySQL(start: "\(b).start_at", zone: "\(s).time_zone") }

    static func daySQL(start: String, zone: String) -> String { "(\(start) at time zone \(zone))::date" }

    static func minutesSQL(booking b: String) -> String { minutesSQL(start: "\(b).start_at", end: "\(b).end_at") }

    static func minutesSQL(start: String, end: String) -> String { "(extract(epoch from \(end) - \(start))::bigint / 60)" }

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
