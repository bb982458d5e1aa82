import AlmanacEvents
import Booking
import EventStore
import Foundation
import PostgresClient
import Projections

/// The booking read models: the catalog (sites, buildings, floors, resources, groups), the
/// effective policy of each resource (site default with the resource's override), every
/// booking by resource, day and person, occupancy per resource and site-local day (what makes
/// availability queries fast), and favourites — what the booking page and API query.
/// Decisions never read these; they are rebuilt from `BOOKINGS` with `almanac replay booking`.
public enum BookingReadModel {
    public static let name = "booking"
    public static let tables = ["sites", "buildings", "floors", "resources", "groups", "bookings", "favourites",
                                "resource_policies", "occupancy_by_day"]

    /// Version 2 added `resource_policies` and `occupancy_by_day`.
    public static let version = 2

    public static func projection() throws -> Projection {
        try Projection(
            name: name, version: version, stream: AlmanacStreams.bookings, filter: "bookings.>", registry: AlmanacEventCatalog.registry,
            tables: tables, createTables: createTables, apply: applyBatch, foldLoad: foldLoad, stage: stageBatch)
    }

    static func createTables(_ schema: String) -> String {
        """
        create table \(schema).sites (
            site_id text primary key, name text not null, country text not null, time_zone text not null,
            opening_hours jsonb not null, policy jsonb not null, closures jsonb not null default '{}'::jsonb);
        create table \(schema).buildings (building_id text primary key, site_id text not null, name text not null);
        create table \(schema).floors (
            floor_id text primary key, site_id text not null, building_id text not null, name text not null, level int not null);
        create table \(schema).resources (
            resource_id text primary key, site_id text not null, floor_id text not null, name text not null, kind text not null,
            seats int, appointment_minutes int, attributes jsonb not null, restricted_to jsonb not null,
            policy_override jsonb not null, removed boolean not null default false);
        create index on \(schema).resources (site_id, kind) where not removed;
        create index on \(schema).resources (floor_id) where not removed;
        create table \(schema).groups (group_id text primary key, site_id text not null, name text not null);
        \(bookingsTableSQL(schema))
        create table \(schema).favourites (person_id text not null, resource_id text not null, site_id text not null,
            primary key (person_id, resource_id));
        create table \(schema).resource_policies (
            resource_id text primary key, site_id text not null, policy jsonb not null);
        create table \(schema).occupancy_by_day (
            resource_id text not null, site_id text not null, day date not null,
            bookings int not null, attendees bigint not null, booked_minutes bigint not null);
        \(bulkTableIndexes(schema))
        """
    }

    /// `bookings` without its key and indexes (`bulkTableIndexes`).
    static func bookingsTableSQL(_ schema: String) -> String {
        """
        create table \(schema).bookings (
            booking_id text not null, resource_id text not null, site_id text not null, person_id text not null, kind text not null,
            start_at timestamptz not null, end_at timestamptz not null, attendees int not null, booker_time_zone text not null,
            status text not null, checked_in_at timestamptz, last_sequence bigint not null);
        """
    }

    /// The keys and indexes of the two big tables, `bookings` and `occupancy_by_day`. A rebuild
    /// drops them before filling the tables and builds them once afterwards, which is much
    /// cheaper than keeping them up to date row by row. The names are those PostgreSQL gave the
    /// same indexes when they were declared inline.
    static func bulkTableIndexes(_ schema: String) -> String {
        """
        alter table \(schema).bookings add constraint bookings_pkey primary key (booking_id);
        create index bookings_resource_id_start_at_idx on \(schema).bookings (resource_id, start_at) where status in ('placed', 'checked_in');
        create index bookings_person_id_start_at_idx on \(schema).bookings (person_id, start_at);
        alter table \(schema).occupancy_by_day add constraint occupancy_by_day_pkey primary key (resource_id, day);
        create index occupancy_by_day_site_id_day_idx on \(schema).occupancy_by_day (site_id, day);
        """
    }

    static func dropBulkTableIndexes(_ schema: String) -> String {
        """
        alter table \(schema).bookings drop constraint bookings_pkey;
        drop index \(schema).bookings_resource_id_start_at_idx, \(schema).bookings_person_id_start_at_idx;
        alter table \(schema).occupancy_by_day drop constraint occupancy_by_day_pkey;
        drop index \(schema).occupancy_by_day_site_id_day_idx;
        """
    }

    static func json(_ value: some Encodable) throws -> PostgresJSON {
        try PostgresJSON(encoding: value, encoder: EventCoding.encoder)
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    static func apply(_ recorded: RecordedEvent, to target: ProjectionTarget) async throws {
        guard let event = BookingEvent(payload: recorded.event) else { return }
        let db = target.connection
        switch event {
        case .siteCreated(let e):
            try await db.execute("""
                insert into \(try target.table("sites")) (site_id, name, country, time_zone, opening_hours, policy)
                values ($1, $2, $3, $4, $5, $6)
                on conflict (site_id) do update set name = excluded.name, country = excluded.country, time_zone = excluded.time_zone,
                    opening_hours = excluded.opening_hours, policy = excluded.policy
                """, [e.siteId, e.name, e.country, e.timeZone, try json(e.openingHours), try json(e.policy)])
        case .siteOpeningHoursSet(let e):
            try await db.execute("update \(try target.table("sites")) set opening_hours = $2 where site_id = $1", [e.siteId, try json(e.openingHours)])
        case .siteClosureAdded(let e):
            try await db.execute("update \(try target.table("sites")) set closures = closures || jsonb_build_object($2::text, $3::jsonb) where site_id = $1",
                                 [e.siteId, e.closure.closureId, try json(e.closure)])
        case .siteClosureRemoved(let e):
            try await db.execute("update \(try target.table("sites")) set closures = closures - $2::text where site_id = $1", [e.siteId, e.closureId])
        case .sitePolicySet(let e):
            try await db.execute("update \(try target.table("sites")) set policy = $2 where site_id = $1", [e.siteId, try json(e.policy)])
        case .buildingAdded(let e):
            try await db.execute("""
                insert into \(try target.table("buildings")) (building_id, site_id, name) values ($1, $2, $3)
                on conflict (building_id) do update set name = excluded.name
                """, [e.buildingId, e.siteId, e.name])
        case .floorAdded(let e):
            try await db.execute("""
                insert into \(try target.table("floors")) (floor_id, site_id, building_id, name, level) values ($1, $2, $3, $4, $5)
                on conflict (floor_id) do update set name = excluded.name, level = excluded.level
                """, [e.floorId, e.siteId, e.buildingId, e.name, e.level])
        case .resourceAdded(let e):
            let r = e.resource
            try await db.execute("""
                insert into \(try target.table("resources"))
                    (resource_id, site_id, floor_id, name, kind, seats, appointment_minutes, attributes, restricted_to, policy_override)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                on conflict (resource_id) do update set floor_id = excluded.floor_id, name = excluded.name, kind = excluded.kind,
                    seats = excluded.seats, appointment_minutes = excluded.appointment_minutes, attributes = excluded.attributes,
                    restricted_to = excluded.restricted_to, policy_override = excluded.policy_override, removed = false
                """, [r.resourceId, e.siteId, r.floorId, r.name, r.kind.rawValue, r.seats, r.appointmentDurationMinutes,
                      try json(r.attributes), try json(r.restrictedToGroups), try json(r.policyOverride)])
        case .resourceUpdated(let e):
            try await db.execute("update \(try target.table("resources")) set name = $2, attributes = $3 where resource_id = $1",
                                 [e.resourceId, e.name, try json(e.attributes)])
        case .resourceRemoved(let e):
            try await db.execute("update \(try target.table("resources")) set removed = true where resource_id = $1", [e.resourceId])
        case .resourcePolicySet(let e):
            try await db.execute("update \(try target.table("resources")) set policy_override = $2 where resource_id = $1",
                                 [e.resourceId, try json(e.policyOverride)])
        case .groupDefined(let e):
            try await db.execute("""
                insert into \(try target.table("groups")) (group_id, site_id, name) values ($1, $2, $3)
                on conflict (group_id) do update set name = excluded.name
                """, [e.groupId, e.siteId, e.name])
        case .resourceRestricted(let e):
            try await db.execute("update \(try target.table("resources")) set restricted_to = $2 where resource_id = $1",
                                 [e.resourceId, try json(e.groupIds)])
        case .favouriteAdded(let e):
            try await db.execute("""
                insert into \(try target.table("favourites")) (person_id, resource_id, site_id) values ($1, $2, $3)
                on conflict do nothing
                """, [e.personId, e.resourceId, e.siteId])
        case .favouriteRemoved(let e):
            try await db.execute("delete from \(try target.table("favourites")) where person_id = $1 and resource_id = $2", [e.personId, e.resourceId])
        case .bookingPlaced, .bookingMovedIn, .bookingMovedOut, .bookingCancelled, .bookingReleasedAsNoShow, .bookingRescheduled,
             .bookingCheckedIn, .personBookingAdded, .personBookingChanged, .personBookingRemoved:
            // Written in bulk by `applyBatch` (BookingReadModel+BatchApply.swift).
            break
        }
    }
}
