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
        let seq = Int64(recorded.sequence)
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
    static func finishLoad(_ schema: String) -> String {
        let load = "\(schema).booking_load"
        return """
        create temporary table booking_ops as
            select l.* from \(load) l
              join (select booking_id, min(seq) as first_seq from \(load) where op = 'upsert' group by booking_id) f
                on f.booking_id = l.booking_id and l.seq >= f.first_seq;
        analyze booking_ops;
        insert into \(schema).bookings
            (booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, checked_in_at, last_sequence)
        select f.booking_id, p.resource_id, p.site_id, f.person_id, f.kind, t.start_at, t.end_at, p.attendees, f.booker_time_zone,
               coalesce(s.status, 'placed'), c.checked_in_at, n.last_seq
          from (select distinct on (booking_id) booking_id, person_id, kind, booker_time_zone
                  from booking_ops where op = 'upsert' order by booking_id, seq) f
          join (select distinct on (booking_id) booking_id, resource_id, site_id, attendees
                  from booking_ops where op = 'upsert' order by booking_id, seq desc) p on p.booking_id = f.booking_id
          join (select distinct on (booking_id) booking_id, start_at, end_at
                  from booking_ops where op in ('upsert', 'reschedule') order by booking_id, seq desc) t on t.booking_id = f.booking_id
          join (select booking_id, max(seq) as last_seq from booking_ops group by booking_id) n on n.booking_id = f.booking_id
          left join (select distinct on (booking_id) booking_id, status
                       from booking_ops where op in ('status', 'checkin') order by booking_id, seq desc) s on s.booking_id = f.booking_id
          left join (select distinct on (booking_id) booking_id, checked_in_at
                       from booking_ops where op = 'checkin' order by booking_id, seq desc) c on c.booking_id = f.booking_id;
        drop table booking_ops;
        drop table \(load);
        \(OccupancyDelta.rebuildSQL(schema))
        """
    }
}
