import Foundation
import PostgresClient
import Projections

extension BookingReadModel {
    /// The rebuild's fold path: readers fold their ranges into `BookingRebuildFold`s (catalog
    /// and favourite events go through `apply`), and `finishFold` writes each booking's final
    /// row once, with COPY, then builds the keys, indexes and occupancy.
    static let foldLoad = FoldLoad(createSpillTable: createPartialsSQL, maximumRange: BookingRebuildFold.maximumRange, makeFold: { BookingRebuildFold() }, finish: finishFold)

    /// `bookings`' columns in the order `writeRow` writes them.
    static let bookingColumns = ["booking_id", "resource_id", "site_id", "person_id", "kind", "start_at", "end_at", "attendees",
                                 "booker_time_zone", "status", "checked_in_at", "last_sequence"]

    /// Writes the folds' bookings. Without spills, each fold's bookings are COPYed by a
    /// connection of their own, at the same time: a booking goes with the first fold that holds
    /// it, merged with what later folds hold of it. With spills, the rest is spilled too and
    /// the partial rows are merged in SQL (`mergePartialsSQL`). Then the keys, the indexes and
    /// `occupancy_by_day` are built, also side by side (each `create index` takes a lock that
    /// lets the others run; the primary key adopts its unique index at the end).
    static func finishFold(_ folds: [any RebuildFold], _ schema: String, _ pool: PostgresPool) async throws -> [FoldLoad.FinishPhase] {
        var phases: [FoldLoad.FinishPhase] = []
        var phaseStart = ContinuousClock.now
        func phase(_ name: String) {
            phases.append(FoldLoad.FinishPhase(name, seconds: ProjectionRebuild.seconds(since: phaseStart)))
            phaseStart = ContinuousClock.now
        }
        let folds = try folds.map { fold in
            guard let fold = fold as? BookingRebuildFold else { throw BookingReadModelError("the booking rebuild got a fold of another projection") }
            return fold
        }
        let quoted = try PostgresIdentifier.quote(schema)
        try await pool.executeScript(dropBulkTableIndexes(quoted))
        if folds.contains(where: \.spilled) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for fold in folds where fold.count > 0 {
                    group.addTask { try await pool.withConnection { try await fold.spill(into: schema, connection: $0) } }
                }
                try await group.waitForAll()
            }
            phase("spill the rest")
            try await pool.executeScript(mergePartialsSQL(quoted) + "\ndrop table \(quoted).booking_partials;")
            phase("merge the spilled partial rows")
        } else {
            try await pool.executeScript("drop table \(quoted).booking_partials;")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for position in folds.indices {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try await copyBookings(of: position, in: folds, schema: schema, connection: connection)
                        }
                    }
                }
                try await group.waitForAll()
            }
            phase("COPY of the bookings (\(folds.count) connections)")
        }
        let settings = "set local maintenance_work_mem = '96MB'; set local work_mem = '64MB'; set local max_parallel_maintenance_workers = 0;\n"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for script in [
                "create unique index bookings_pkey on \(quoted).bookings (booking_id);",
                "create index bookings_resource_id_start_at_idx on \(quoted).bookings (resource_id, start_at) where status in ('placed', 'checked_in');",
                "create index bookings_person_id_start_at_idx on \(quoted).bookings (person_id, start_at);",
                """
                \(OccupancyDelta.rebuildSQL(quoted))
                alter table \(quoted).occupancy_by_day add constraint occupancy_by_day_pkey primary key (resource_id, day);
                create index occupancy_by_day_site_id_day_idx on \(quoted).occupancy_by_day (site_id, day);
                """,
            ] {
                group.addTask { try await pool.executeScript(settings + script) }
            }
            try await group.waitForAll()
        }
        phase("indexes and occupancy (side by side)")
        try await pool.executeScript("alter table \(quoted).bookings add constraint bookings_pkey primary key using index bookings_pkey;")
        phase("primary key")
        return phases
    }

    /// COPYs the bookings first seen by `folds[position]`, each merged with later folds' entries.
    static func copyBookings(of position: Int, in folds: [BookingRebuildFold], schema: String, connection: PostgresConnection) async throws {
        let fold = folds[position]
        var index = 0
        var parts: [FoldedPart] = []
        try await connection.copyFrom(table: "bookings", schema: schema, columns: bookingColumns) { encoder in
            let end = min(fold.count, index + 512)
            while index < end {
                defer { index += 1 }
                parts.removeAll(keepingCapacity: true)
                let firstSeenHere = fold.ids.withUTF8(at: index) { id in
                    guard !folds[..<position].contains(where: { $0.ids.index(of: id) != nil }) else { return false }
                    parts.append(FoldedPart(fold: fold, entry: fold.entry(index)))
                    for later in folds[(position + 1)...] {
                        if let other = later.ids.index(of: id) { parts.append(FoldedPart(fold: later, entry: later.entry(other))) }
                    }
                    return true
                }
                if firstSeenHere { try writeRow(index, of: fold, parts, into: &encoder) }
            }
            return index < fold.count
        }
    }

    /// One entry of one fold, with the fold that names its strings and sequences.
    struct FoldedPart {
        let fold: BookingRebuildFold
        let entry: FoldedBooking

        func sequence(_ field: (FoldedBooking) -> UInt32) -> Int64 { fold.sequence(field(entry)) }
    }

    /// The booking's row from its parts, field by field from the part with the deciding
    /// sequence; none for a booking never placed or moved in.
    static func writeRow(_ index: Int, of fold: BookingRebuildFold, _ parts: [FoldedPart], into encoder: inout CopyTextEncoder) throws {
        func latest(_ field: (FoldedBooking) -> UInt32) -> (part: FoldedPart, sequence: Int64)? {
            var best: (part: FoldedPart, sequence: Int64)?
            for part in parts {
                let sequence = part.sequence(field)
                if sequence > best?.sequence ?? 0 { best = (part, sequence) }
            }
            return best
        }
        var first: (part: FoldedPart, sequence: Int64)?, lastSeq: Int64 = 0
        for part in parts {
            let sequence = part.sequence { $0.firstSeq }
            if sequence != 0 && sequence < first?.sequence ?? .max { first = (part, sequence) }
            lastSeq = max(lastSeq, part.sequence { $0.lastSeq })
        }
        guard let (first, firstSeq) = first, let place = latest({ $0.placeSeq })?.part, let times = latest({ $0.timesSeq })?.part else { return }
        try fold.ids.withUTF8(at: index) { try encoder.text(utf8: $0) }
        try place.fold.text(place.entry.resource, &encoder)
        try place.fold.text(place.entry.site, &encoder)
        try first.fold.text(first.entry.person, &encoder)
        try first.fold.text(first.entry.kind, &encoder)
        encoder.timestamp(Date(timeIntervalSinceReferenceDate: times.entry.start))
        encoder.timestamp(Date(timeIntervalSinceReferenceDate: times.entry.end))
        encoder.integer(Int64(place.entry.attendees))
        try first.fold.text(first.entry.zone, &encoder)
        // A status or check-in before the booking existed changed nothing.
        let status = latest({ $0.statusSeq }).flatMap { $0.sequence >= firstSeq ? BookingRowStatus(rawValue: $0.part.entry.status) : nil }
        try encoder.text(status?.text ?? BookingRowStatus.placed)
        let checkIn = latest({ $0.checkInSeq }).flatMap { $0.sequence >= firstSeq ? $0.part.entry.checkedInAt : nil }
        encoder.timestamp(checkIn.map { Date(timeIntervalSinceReferenceDate: $0) })
        encoder.integer(lastSeq)
        encoder.endRow()
    }

    /// `booking_partials`' columns, in the order `BookingRebuildFold` spills them.
    static let partialColumns = ["booking_id", "first_seq", "person_id", "kind", "booker_time_zone", "place_seq", "resource_id", "site_id",
                                 "attendees", "times_seq", "start_at", "end_at", "status_seq", "status", "checkin_seq", "checked_in_at",
                                 "last_seq"]

    static func createPartialsSQL(_ schema: String) -> String {
        """
        create unlogged table \(schema).booking_partials (
            booking_id text not null, first_seq bigint, person_id text, kind text, booker_time_zone text,
            place_seq bigint, resource_id text, site_id text, attendees int, times_seq bigint, start_at timestamptz, end_at timestamptz,
            status_seq bigint, status text, checkin_seq bigint, checked_in_at timestamptz, last_seq bigint not null)
        """
    }

    /// `writeRow` in SQL, over every spilled partial row of every booking.
    static func mergePartialsSQL(_ schema: String) -> String {
        let partials = "\(schema).booking_partials"
        return """
        set local work_mem = '128MB';
        insert into \(schema).bookings (\(bookingColumns.joined(separator: ", ")))
        select f.booking_id, p.resource_id, p.site_id, f.person_id, f.kind, t.start_at, t.end_at, p.attendees, f.booker_time_zone,
               coalesce(case when s.status_seq >= f.first_seq then s.status end, '\(BookingRowStatus.placed)'),
               case when c.checkin_seq >= f.first_seq then c.checked_in_at end, n.last_seq
          from (select distinct on (booking_id) booking_id, first_seq, person_id, kind, booker_time_zone
                  from \(partials) where first_seq is not null order by booking_id, first_seq) f
          join (select distinct on (booking_id) booking_id, resource_id, site_id, attendees
                  from \(partials) where place_seq is not null order by booking_id, place_seq desc) p on p.booking_id = f.booking_id
          join (select distinct on (booking_id) booking_id, start_at, end_at
                  from \(partials) where times_seq is not null order by booking_id, times_seq desc) t on t.booking_id = f.booking_id
          join (select booking_id, max(last_seq) as last_seq from \(partials) group by booking_id) n on n.booking_id = f.booking_id
          left join (select distinct on (booking_id) booking_id, status_seq, status
                       from \(partials) where status_seq is not null order by booking_id, status_seq desc) s on s.booking_id = f.booking_id
          left join (select distinct on (booking_id) booking_id, checkin_seq, checked_in_at
                       from \(partials) where checkin_seq is not null order by booking_id, checkin_seq desc) c on c.booking_id = f.booking_id;
        """
    }
}
