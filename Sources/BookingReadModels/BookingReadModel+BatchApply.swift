import Booking
import EventStore
import Foundation
import PostgresClient
import Projections

extension BookingReadModel {
    /// Applies a batch in a fixed, small number of round trips whatever its size: the booking
    /// events are folded in memory into one entry per booking (`BookingFold`), the entries are
    /// COPYed into a session-temporary staging table, then one pipeline merges them with the
    /// bookings' current rows (`BatchStaging.foldSQL`) and writes `bookings` and `occupancy_by_day`
    /// set-based. A batch `stageBatch` staged already only needs the merge. Catalog events are
    /// rare and go one by one, in order: they cut the batch into segments, each staged and applied
    /// before the catalog event that follows it.
    @Sendable
    static func applyBatch(_ events: [RecordedEvent], to target: ProjectionTarget) async throws {
        if target.staging == .staged { return try await BatchStaging.merge(target) }
        var fold = BookingFold()
        // Rows a stage left for more events than this batch has are cleared with the first segment.
        var segments = target.staging == .discarded ? 1 : 0
        for recorded in events {
            guard let event = BookingEvent(payload: recorded.event) else { continue }
            if fold.add(event, sequence: Int64(recorded.sequence)) { continue }
            try await BatchStaging.apply(fold, segment: segments, target)
            if !fold.isEmpty { segments += 1 }
            fold.removeAll()
            try await apply(recorded, to: target)
            try await refreshPolicies(after: event, target)
        }
        try await BatchStaging.apply(fold, segment: segments, target)
    }

    /// The projector's stage step (before the checkpoint lock, while the batch ahead is still
    /// being applied): folds and COPYs a batch of booking events only; a batch with a catalog
    /// event is left to `applyBatch`'s segments.
    @Sendable
    static func stageBatch(_ events: [RecordedEvent], to target: ProjectionTarget) async throws -> Bool {
        var fold = BookingFold()
        for recorded in events {
            guard let event = BookingEvent(payload: recorded.event) else { continue }
            guard fold.add(event, sequence: Int64(recorded.sequence)) else { return false }
        }
        guard !fold.isEmpty else { return false }
        try await BatchStaging.stage(fold, clearing: false, target)
        return true
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
