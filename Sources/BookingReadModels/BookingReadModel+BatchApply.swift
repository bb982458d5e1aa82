import Booking
import EventStore
import Foundation
import PostgresClient
import Projections

extension BookingReadModel {
    /// Applies a batch with few statements: runs of booking events become one multi-row upsert
    /// and one `update ... from (values ...)` per kind of change, instead of one statement per
    /// event (the projector's throughput is bounded by round trips, not by PostgreSQL's work).
    /// Catalog events are rare and go one by one, in order. Occupancy follows as a delta of the
    /// touched bookings' contributions before and after.
    @Sendable
    static func applyBatch(_ events: [RecordedEvent], to target: ProjectionTarget) async throws {
        let decoded = events.compactMap { recorded in BookingEvent(payload: recorded.event).map { (recorded, $0) } }
        let touched = Self.bookingIDs(in: decoded.map(\.1))
        let before = try await OccupancyDelta.contributions(of: touched, target)
        var pending = PendingBookingWrites()
        for (recorded, event) in decoded {
            let sequence = Int64(recorded.sequence)
            switch event {
            case .bookingPlaced(let e):
                try await pending.upsert(BookingRow(id: e.bookingId, resource: e.resourceId, site: e.siteId, person: e.personId, kind: e.kind.rawValue,
                                                    start: e.start, end: e.end, attendees: e.attendees, zone: e.bookerTimeZone, sequence: sequence), target)
            case .bookingMovedIn(let e):
                try await pending.upsert(BookingRow(id: e.bookingId, resource: e.resourceId, site: e.siteId, person: e.personId, kind: e.kind.rawValue,
                                                    start: e.start, end: e.end, attendees: e.attendees, zone: e.bookerTimeZone, sequence: sequence), target)
            case .bookingCancelled(let e):
                try await pending.change(.status(id: e.bookingId, status: "cancelled", sequence: sequence), target)
            case .bookingReleasedAsNoShow(let e):
                try await pending.change(.status(id: e.bookingId, status: "released", sequence: sequence), target)
            case .bookingRescheduled(let e):
                try await pending.change(.reschedule(id: e.bookingId, start: e.start, end: e.end, sequence: sequence), target)
            case .bookingCheckedIn(let e):
                try await pending.change(.checkIn(id: e.bookingId, at: e.checkedInAt, sequence: sequence), target)
            case .bookingMovedOut, .personBookingAdded, .personBookingChanged, .personBookingRemoved:
                // Moved out: the booking lives on as the moved-in one. The person aggregate's
                // mirror events add nothing the bookings table does not already answer.
                break
            default:
                try await pending.flush(target)
                try await apply(recorded, to: target)
                try await refreshPolicies(after: event, target)
            }
        }
        try await pending.flush(target)
        let after = try await OccupancyDelta.contributions(of: touched, target)
        try await OccupancyDelta.apply(before: before, after: after, target)
    }

    static func bookingIDs(in events: [BookingEvent]) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for event in events {
            let id: String? = switch event {
            case .bookingPlaced(let e): e.bookingId
            case .bookingMovedIn(let e): e.bookingId
            case .bookingCancelled(let e): e.bookingId
            case .bookingReleasedAsNoShow(let e): e.bookingId
            case .bookingRescheduled(let e): e.bookingId
            case .bookingCheckedIn(let e): e.bookingId
            default: nil
            }
            if let id, seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// Keeps `resource_policies` (the site's policy with the resource's override laid over it,
    /// field by field) in step with the catalog events that change either.
    static func refreshPolicies(after event: BookingEvent, _ target: ProjectionTarget) async throws {
        let filter: (sql: String, value: String)
        switch event {
        case .siteCreated(let e): filter = ("r.site_id = $1", e.siteId)
        case .sitePolicySet(let e): filter = ("r.site_id = $1", e.siteId)
        case .resourceAdded(let e): filter = ("r.resource_id = $1", e.resource.resourceId)
        case .resourcePolicySet(let e): filter = ("r.resource_id = $1", e.resourceId)
        default: return
        }
        try await target.connection.execute("""
            insert into \(try target.table("resource_policies")) (resource_id, site_id, policy)
            select r.resource_id, r.site_id, \(Self.effectivePolicySQL)
              from \(try target.table("resources")) r join \(try target.table("sites")) s on s.site_id = r.site_id
             where \(filter.sql)
            on conflict (resource_id) do update set site_id = excluded.site_id, policy = excluded.policy
            """, [filter.value])
    }

    /// The effective policy of resource `r` at site `s`: absent override fields keep the site's.
    static let effectivePolicySQL = "s.policy || jsonb_strip_nulls(r.policy_override)"
}

/// A booking as `booking.placed` / `booking.moved_in` leave it.
struct BookingRow {
    let id: String, resource: String, site: String, person: String, kind: String
    let start: Date, end: Date, attendees: Int, zone: String, sequence: Int64
}

/// A change to an existing booking.
enum BookingChange {
    case status(id: String, status: String, sequence: Int64)
    case reschedule(id: String, start: Date, end: Date, sequence: Int64)
    case checkIn(id: String, at: Date, sequence: Int64)

    var id: String {
        switch self {
        case .status(let id, _, _), .reschedule(let id, _, _, _), .checkIn(let id, _, _): id
        }
    }
}

/// Booking writes collected in stream order and sent as few statements. A flush writes the
/// upserts first, then the changes, which is stream order as long as no booking appears twice
/// among the changes, and no upsert follows a pending write of the same booking; either
/// case flushes first. (One statement may not touch a row twice anyway.)
struct PendingBookingWrites {
    private var upserts: [BookingRow] = []
    private var changes: [BookingChange] = []
    private var upsertIDs = Set<String>()
    private var changeIDs = Set<String>()

    /// Parameters per statement stay well under PostgreSQL's 65,535.
    static let maximumRows = 3_000

    mutating func upsert(_ row: BookingRow, _ target: ProjectionTarget) async throws {
        if upsertIDs.contains(row.id) || changeIDs.contains(row.id) || upserts.count >= Self.maximumRows { try await flush(target) }
        upserts.append(row)
        upsertIDs.insert(row.id)
    }

    mutating func change(_ change: BookingChange, _ target: ProjectionTarget) async throws {
        if changeIDs.contains(change.id) || changes.count >= Self.maximumRows { try await flush(target) }
        changes.append(change)
        changeIDs.insert(change.id)
    }

    mutating func flush(_ target: ProjectionTarget) async throws {
        if !upserts.isEmpty { try await writeUpserts(target) }
        if !changes.isEmpty { try await writeChanges(target) }
        upserts.removeAll(keepingCapacity: true)
        changes.removeAll(keepingCapacity: true)
        upsertIDs.removeAll(keepingCapacity: true)
        changeIDs.removeAll(keepingCapacity: true)
    }

    private func writeUpserts(_ target: ProjectionTarget) async throws {
        var values: [String] = []
        var parameters: [any PostgresEncodable] = []
        values.reserveCapacity(upserts.count)
        parameters.reserveCapacity(upserts.count * 10)
        for row in upserts {
            values.append(Self.placeholders(from: parameters.count, count: 10, literal: "'placed'", at: 9))
            parameters += [row.id, row.resource, row.site, row.person, row.kind, row.start, row.end, row.attendees, row.zone, row.sequence]
        }
        // A move keeps who booked, the kind, the booker's zone and the status; it changes the rest.
        try await target.connection.execute("""
            insert into \(try target.table("bookings"))
                (booking_id, resource_id, site_id, person_id, kind, start_at, end_at, attendees, booker_time_zone, status, last_sequence)
            values \(values.joined(separator: ", "))
            on conflict (booking_id) do update set resource_id = excluded.resource_id, site_id = excluded.site_id,
                start_at = excluded.start_at, end_at = excluded.end_at, attendees = excluded.attendees, last_sequence = excluded.last_sequence
            """, parameters)
    }

    private func writeChanges(_ target: ProjectionTarget) async throws {
        let table = try target.table("bookings")
        var statuses: [any PostgresEncodable] = [], reschedules: [any PostgresEncodable] = [], checkIns: [any PostgresEncodable] = []
        for change in changes {
            switch change {
            case .status(let id, let status, let sequence): statuses += [id, status, sequence]
            case .reschedule(let id, let start, let end, let sequence): reschedules += [id, start, end, sequence]
            case .checkIn(let id, let at, let sequence): checkIns += [id, at, sequence]
            }
        }
        if !statuses.isEmpty {
            try await target.connection.execute("""
                update \(table) b set status = v.status, last_sequence = v.sequence
                  from (values \(Self.rows(statuses.count / 3, width: 3))) v(booking_id, status, sequence)
                 where b.booking_id = v.booking_id
                """, statuses)
        }
        if !reschedules.isEmpty {
            try await target.connection.execute("""
                update \(table) b set start_at = v.start_at, end_at = v.end_at, last_sequence = v.sequence
                  from (values \(Self.rows(reschedules.count / 4, width: 4))) v(booking_id, start_at, end_at, sequence)
                 where b.booking_id = v.booking_id
                """, reschedules)
        }
        if !checkIns.isEmpty {
            try await target.connection.execute("""
                update \(table) b set status = 'checked_in', checked_in_at = v.checked_in_at, last_sequence = v.sequence
                  from (values \(Self.rows(checkIns.count / 3, width: 3))) v(booking_id, checked_in_at, sequence)
                 where b.booking_id = v.booking_id
                """, checkIns)
        }
    }

    /// `($1, $2, ...), ($4, ...)` for `count` rows of `width` parameters.
    static func rows(_ count: Int, width: Int) -> String {
        (0..<count).map { placeholders(from: $0 * width, count: width) }.joined(separator: ", ")
    }

    /// `($n+1, ..., $n+count)`, with `literal` inserted before parameter index `at` when given.
    static func placeholders(from base: Int, count: Int, literal: String? = nil, at position: Int = -1) -> String {
        var parts: [String] = []
        parts.reserveCapacity(count + 1)
        for index in 0..<count {
            if index == position, let literal { parts.append(literal) }
            parts.append("$\(base + index + 1)")
        }
        return "(" + parts.joined(separator: ", ") + ")"
    }
}
