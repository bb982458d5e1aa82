import Booking
import EventStore
import Foundation
import PostgresClient

extension BookingReadModelQueries {
    /// A site's catalog from the read model in the domain's own shape (configuration, buildings,
    /// floors, bookable resources, groups), so the pure `Availability` can run on read-model rows
    /// exactly as `decide` runs on the aggregate. Nil when there is no such site.
    public func siteState(_ siteId: String) async throws -> SiteState? {
        try await pool.withConnection { db in
            let siteRows = try await db.query("""
                select name, country, time_zone, opening_hours::text, policy::text, closures::text
                  from \(schema).sites where site_id = $1
                """, [siteId]).rows
            guard let row = siteRows.first else { return nil }
            let closures = try Self.decodeJSON([String: Closure].self, try row.decode(String.self, at: 5)).values
                .sorted { ($0.from, $0.closureId) < ($1.from, $1.closureId) }
            var state = SiteState()
            state.site = SiteDefinition(
                siteId: siteId, name: try row.decode(String.self, at: 0), country: try row.decode(String.self, at: 1),
                timeZone: try row.decode(String.self, at: 2), openingHours: try Self.decodeJSON([OpeningInterval].self, try row.decode(String.self, at: 3)),
                closures: closures, policy: try Self.decodeJSON(BookingPolicy.self, try row.decode(String.self, at: 4)))
            for row in try await db.query("select building_id, name from \(schema).buildings where site_id = $1", [siteId]).rows {
                let building = BuildingDefinition(buildingId: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1))
                state.buildings[building.buildingId] = building
            }
            for row in try await db.query("select floor_id, building_id, name, level from \(schema).floors where site_id = $1", [siteId]).rows {
                let floor = FloorDefinition(floorId: try row.decode(String.self, at: 0), buildingId: try row.decode(String.self, at: 1),
                                            name: try row.decode(String.self, at: 2), level: try row.decode(Int.self, at: 3))
                state.floors[floor.floorId] = floor
            }
            for row in try await db.query("""
                select resource_id, floor_id, name, kind, seats, appointment_minutes, attributes::text, restricted_to::text, policy_override::text
                  from \(schema).resources where site_id = $1 and not removed
                """, [siteId]).rows {
                let kindText = try row.decode(String.self, at: 3)
                // A kind this build does not know (written by a newer one) is left out rather than failing the site.
                guard let kind = ResourceKind(rawValue: kindText) else { continue }
                let resource = ResourceDefinition(
                    resourceId: try row.decode(String.self, at: 0), floorId: try row.decode(String.self, at: 1), name: try row.decode(String.self, at: 2),
                    kind: kind, seats: try row.decode(Int?.self, at: 4), appointmentDurationMinutes: try row.decode(Int?.self, at: 5),
                    attributes: try Self.decodeJSON([String].self, try row.decode(String.self, at: 6)),
                    restrictedToGroups: try Self.decodeJSON([String].self, try row.decode(String.self, at: 7)),
                    policyOverride: try Self.decodeJSON(PolicyOverride.self, try row.decode(String.self, at: 8)))
                state.resources[resource.resourceId] = resource
            }
            for row in try await db.query("select group_id, name from \(schema).groups where site_id = $1", [siteId]).rows {
                let group = RestrictionGroup(groupId: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1))
                state.groups[group.groupId] = group
            }
            return state
        }
    }

    /// Each resource's slot-holding bookings overlapping [from, to), as the domain's
    /// `ResourceState` (what capacity is checked against). Resources without any are absent.
    public func occupancy(resources: [String], from: Date, to: Date) async throws -> [String: ResourceState] {
        var states: [String: ResourceState] = [:]
        for booking in try await activeBookings(resources: resources, from: from, to: to) {
            // Unknown kinds cannot be offered anyway; the domain's own evolve builds the state.
            guard let kind = ResourceKind(rawValue: booking.kind) else { continue }
            let placed = BookingPlaced(bookingId: booking.bookingId, resourceId: booking.resourceId, siteId: booking.siteId, personId: booking.personId,
                                       kind: kind, start: booking.start, end: booking.end, attendees: booking.attendees,
                                       bookerTimeZone: booking.bookerTimeZone)
            states[booking.resourceId] = (states[booking.resourceId] ?? ResourceState()).evolve(.bookingPlaced(placed))
        }
        return states
    }

    /// A person's bookings that still hold their slot (placed or checked in) and end after `after`, soonest first.
    public func currentBookings(of person: String, endingAfter after: Date) async throws -> [Booking] {
        try await bookings(of: person, endingAfter: after).filter { $0.status == "placed" || $0.status == "checked_in" }
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try EventCoding.decoder.decode(type, from: Data(text.utf8))
    }
}
