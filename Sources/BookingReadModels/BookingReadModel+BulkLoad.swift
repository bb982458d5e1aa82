import Booking
import EventStore
import PostgresClient
import Projections

extension BookingReadModel {
    /// The rebuild's COPY path: every booking event becomes one row of `booking_load` (what it
    /// says about the booking, tagged with an operation), and `finish` folds those rows into
    /// `bookings` with set-based SQL that gives what the incremental upserts and updates give.
    /// Catalog and favourite events are few and go through `apply`.
    static let bulkLoad = BulkLoad(
        table: "booking_load",
        columns: ["seq", "op", "booking_id", "resource_id", "site_id", "person_id", "kind", "start_at", "end_at", "attendees",
                  "booker_time_zone", "status", "checked_in_at"],
        createLoadTable: { schema in
            """
            create unlogged table \(schema).booking_load (
                seq bigint not null, op text not null, booking_id text not null, resource_id text, site_id text, person_id text,
                kind text, start_at timestamptz, end_at timestamptz, attendees int, booker_time_zone text, status text,
                checked_in_at timestamptz);
            """
        },
        rows: loadRows,
        finish: finishLoad)

    static func loadRows(_ recorded: RecordedEvent) throws -> [[any PostgresEncodable]]? {
        guard let event = BookingEvent(payload: recorded.event) else { return [] }
        return loadRows(event, sequence: Int64(recorded.sequence))
    }

    /// The load table's rows for one booking event at `seq`; nil for events `apply` handles.
    static func loadRows(_ event: BookingEvent, sequence seq: Int64) -> [[any PostgresEncodable]]? {
        let none = PostgresNull()
        switch event {
        case .bookingPlaced(let e):
            return [[seq, "upsert", e.bookingId, e.resourceId, e.siteId, e.personId, e.kind.rawValue, e.start, e.end, e.attendees,
                     e.bookerTimeZone, none, none]]
        case .bookingMovedIn(let e):
            return [[seq, "upsert", e.bookingId, e.resourceId, e.siteId, e.personId, e.kind.rawValue, e.start, e.end, e.attendees,
                     e.bookerTimeZone, none, none]]
        case .bookingCancelled(let e):
            return [[seq, "status", e.bookingId, none, none, none, none, none, none, none, none, "cancelled", none]]
        case .bookingReleasedAsNoShow(let e):
            return [[seq, "status", e.bookingId, none, none, none, none, none, none, none, none, "released", none]]
        case .bookingRescheduled(let e):
            return [[seq, "reschedule", e.bookingId, none, none, none, none, e.start, e.end, none, none, none, none]]
        case .bookingCheckedIn(let e):
            return [[seq, "checkin", e.bookingId, none, none, none, none, none, none, none, none, "checked_in", e.checkedInAt]]
        case .bookingMovedOut, .personBookingAdded, .personBookingChanged, .personBookingRemoved:
            return []
        default:
            return nil
        }
    }

    /// Per booking, from its operations at or after its first upsert (earlier ones would have
    /// updated nothing): who, kind and zone from the first upsert; place and attendees from the
    /// last; times from the last upsert or reschedule; status from the last status change or
    /// check-in ('placed' without one); the last sequence of all. Then occupancy from bookings.
    ///
    /// Few passes over the load table: the first and last upserts come from one sort (a window
    /// over the booking's upserts, newest first); the last time, status and check-in each from a
    /// `distinct on`. Only status and check-in can come before the first upsert (the last upsert
    /// or reschedule, and the last operation, are at or after it), so only their joins compare
    /// with the first upsert. One transaction (the script is one statement list) with memory for
    /// in-memory sorts and hashes; the keys and indexes of `bookings` and `occupancy_by_day` are
    /// dropped first and built once at the end.
    static func finishLoad(_ schema: String) -> String {
        let load = "\(schema).booking_load"
        return """
        set local work_mem = '128MB';
        set local maintenance_work_mem = '256MB';
        \(dropBulkTableIndexes(schema))
        analyze \(load);
        insert into \(schema).bookings
            (booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, checked_in_at, last_sequence)
        select u.booking_id, u.resource_id, u.site_id, u.person_id, u.kind, t.start_at, t.end_at, u.attendees, u.booker_time_zone,
               coalesce(s.status, 'placed'), c.checked_in_at, n.last_seq
          from (select distinct on (booking_id) booking_id, resource_id, site_id, attendees,
                       last_value(person_id) over newest_first as person_id, last_value(kind) over newest_first as kind,
                       last_value(booker_time_zone) over newest_first as booker_time_zone, last_value(seq) over newest_first as first_seq
                  from \(load) where op = 'upsert'
                window newest_first as (partition by booking_id order by seq desc rows between unbounded preceding and unbounded following)
                 order by booking_id, seq desc) u
          join (select distinct on (booking_id) booking_id, start_at, end_at
                  from \(load) where op in ('upsert', 'reschedule') order by booking_id, seq desc) t on t.booking_id = u.booking_id
          join (select booking_id, max(seq) as last_seq from \(load) group by booking_id) n on n.booking_id = u.booking_id
          left join (select distinct on (booking_id) booking_id, seq, status
                       from \(load) where op in ('status', 'checkin') order by booking_id, seq desc) s
            on s.booking_id = u.booking_id and s.seq >= u.first_seq
          left join (select distinct on (booking_id) booking_id, seq, checked_in_at
                       from \(load) where op = 'checkin' order by booking_id, seq desc) c
            on c.booking_id = u.booking_id and c.seq >= u.first_seq;
        drop table \(load);
        \(OccupancyDelta.rebuildSQL(schema))
        \(bulkTableIndexes(schema))
        """
    }
}
