import PostgresClient
import Projections

/// The incremental path's set-based writes. Three session-temporary tables (created on first
/// use by each pooled connection, emptied at every commit) hold one segment of a batch:
/// `booking_batch` (the segment folded per booking, `BookingFold`), `booking_fold`
/// (each touched booking before and after the segment) and `occupancy_delta` (what the segment
/// changes per resource and site-local day). Parameters never grow with the batch, so nothing
/// is parsed or planned per row, and each table is written once per segment.
enum BatchStaging {
    static let batch = "pg_temp.booking_batch"
    static let fold = "pg_temp.booking_fold"
    static let delta = "pg_temp.occupancy_delta"

    /// Stages the folded segment and applies it. `segment` > 0 means an earlier segment of the
    /// same transaction left rows in the temporary tables.
    static func apply(_ folded: BookingFold, segment: Int, _ target: ProjectionTarget) async throws {
        guard !folded.isEmpty else { return }
        try await stage(folded, clearing: segment > 0, target)
        try await merge(target)
    }

    /// COPYs the folded entries into `booking_batch`, creating the temporary tables on a
    /// connection's first use; `clearing` empties them first.
    static func stage(_ folded: BookingFold, clearing: Bool, _ target: ProjectionTarget) async throws {
        let db = target.connection
        var prepare = [PostgresStatement("set local client_min_messages = warning")]
        prepare += createSQL.map { PostgresStatement($0) }
        if clearing { prepare.append(PostgresStatement("truncate \(batch), \(fold), \(delta)")) }
        _ = try await db.pipeline(prepare)
        try await db.copyFrom(table: "booking_batch", schema: "pg_temp", columns: BookingFold.columns,
                              textRows: folded.entries.lazy.map(BookingFold.textRow))
    }

    /// Merges the staged entries with the bookings' current rows and writes `bookings` and
    /// `occupancy_by_day`, in one pipeline.
    static func merge(_ target: ProjectionTarget) async throws {
        let db = target.connection
        let bookings = try target.table("bookings"), sites = try target.table("sites"), occupancy = try target.table("occupancy_by_day")
        _ = try await db.pipeline([
            PostgresStatement(foldSQL(bookings: bookings)),
            PostgresStatement(deltaSQL(sites: sites)),
            PostgresStatement("""
                update \(bookings) b
                   set resource_id = f.resource_id, site_id = f.site_id, start_at = f.start_at, end_at = f.end_at, attendees = f.attendees,
                       status = f.status, checked_in_at = f.checked_in_at, last_sequence = f.last_sequence
                  from \(fold) f
                 where f.existed and b.booking_id = f.booking_id
                """),
            PostgresStatement("""
                insert into \(bookings)
                    (booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, checked_in_at,
                     last_sequence)
                select booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, checked_in_at,
                       last_sequence
                  from \(fold) where not existed
                """),
            PostgresStatement("""
                insert into \(occupancy) as o (resource_id, site_id, day, bookings, attendees, booked_minutes)
                select resource_id, site_id, day, bookings, attendees, booked_minutes from \(delta)
                on conflict (resource_id, day) do update set bookings = o.bookings + excluded.bookings,
                    attendees = o.attendees + excluded.attendees, booked_minutes = o.booked_minutes + excluded.booked_minutes
                """),
            // A rebuild has no rows for days left without bookings either; only a day that lost
            // bookings can be left without any.
            PostgresStatement("""
                delete from \(occupancy) o using \(delta) d
                 where d.bookings < 0 and o.resource_id = d.resource_id and o.day = d.day and o.bookings <= 0
                """),
        ])
    }

    static let createSQL = [
        """
        create temp table if not exists booking_batch (
            booking_id text not null, first_upsert_seq bigint, person_id text, kind text, booker_time_zone text,
            resource_id text, site_id text, attendees int, start_at timestamptz, end_at timestamptz,
            status text, status_seq bigint, checked_in_at timestamptz, checkin_seq bigint, last_sequence bigint not null) on commit delete rows
        """,
        """
        create temp table if not exists booking_fold (
            booking_id text not null, existed boolean not null,
            old_resource_id text, old_site_id text, old_start_at timestamptz, old_end_at timestamptz, old_attendees int,
            old_active boolean not null,
            resource_id text not null, site_id text not null, person_id text not null, kind text not null,
            start_at timestamptz not null, end_at timestamptz not null, attendees int not null, booker_time_zone text not null,
            status text not null, checked_in_at timestamptz, last_sequence bigint not null) on commit delete rows
        """,
        """
        create temp table if not exists occupancy_delta (
            resource_id text not null, site_id text not null, day date not null,
            bookings int not null, attendees bigint not null, booked_minutes bigint not null) on commit delete rows
        """,
    ]

    /// Each touched booking as it was (`e`, absent for new ones) and as the segment leaves it:
    /// the folded entry laid over the current row. For an existing booking every operation
    /// counts; a new one exists only from its first placement or move-in, so its status and
    /// check-in count only when they came after that (earlier ones changed nothing). Who, kind
    /// and zone never change once a booking exists. The current rows are looked up by key with
    /// `= any(array(...))`, which the planner keeps on the primary key (a plain `in (select ...)`
    /// over thousands of ids chose a scan of the whole table).
    static func foldSQL(bookings: String) -> String {
        """
        insert into \(fold) (booking_id, existed, old_resource_id, old_site_id, old_start_at, old_end_at, old_attendees, old_active,
            resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, checked_in_at, last_sequence)
        with e as materialized (
            select b.booking_id, b.resource_id, b.site_id, b.person_id, b.kind, b.start_at, b.end_at, b.attendees, b.booker_time_zone,
                   b.status, b.checked_in_at
              from \(bookings) b where b.booking_id = any (array(select booking_id from \(batch))))
        select n.booking_id, e.booking_id is not null, e.resource_id, e.site_id, e.start_at, e.end_at, e.attendees,
               coalesce(e.status in ('placed', 'checked_in'), false),
               coalesce(n.resource_id, e.resource_id), coalesce(n.site_id, e.site_id), coalesce(e.person_id, n.person_id),
               coalesce(e.kind, n.kind), coalesce(n.start_at, e.start_at), coalesce(n.end_at, e.end_at),
               coalesce(n.attendees, e.attendees), coalesce(e.booker_time_zone, n.booker_time_zone),
               case when e.booking_id is not null then coalesce(n.status, e.status)
                    else coalesce(case when n.status_seq >= n.first_upsert_seq then n.status end, 'placed') end,
               case when e.booking_id is not null then (case when n.checkin_seq is not null then n.checked_in_at else e.checked_in_at end)
                    when n.checkin_seq >= n.first_upsert_seq then n.checked_in_at end,
               n.last_sequence
          from \(batch) n left join e on e.booking_id = n.booking_id
         where e.booking_id is not null or n.first_upsert_seq is not null
        """
    }

    /// Occupancy after the segment minus before, per resource and site-local day, zero rows
    /// left out. Day and minutes use the rebuild's expressions, so both paths agree to the row.
    static func deltaSQL(sites: String) -> String {
        """
        insert into \(delta) (resource_id, site_id, day, bookings, attendees, booked_minutes)
        select resource_id, site_id, day, sum(bookings)::int, sum(attendees), sum(minutes)
          from (select f.resource_id, f.site_id, \(OccupancyDelta.daySQL(start: "f.start_at", zone: "s.time_zone")) as day,
                       1 as bookings, f.attendees::bigint as attendees, \(OccupancyDelta.minutesSQL(start: "f.start_at", end: "f.end_at")) as minutes
                  from \(fold) f join \(sites) s on s.site_id = f.site_id
                 where f.status in ('placed', 'checked_in')
                union all
                select f.old_resource_id, f.old_site_id, \(OccupancyDelta.daySQL(start: "f.old_start_at", zone: "s.time_zone")),
                       -1, -f.old_attendees::bigint, -\(OccupancyDelta.minutesSQL(start: "f.old_start_at", end: "f.old_end_at"))
                  from \(fold) f join \(sites) s on s.site_id = f.old_site_id
                 where f.old_active) d
         group by resource_id, site_id, day
        having sum(bookings) <> 0 or sum(attendees) <> 0 or sum(minutes) <> 0
        """
    }
}
