import Booking
import EventStore
import Foundation
import PostgresClient
import Projections

/// One rebuild reader's fold of its range of `BOOKINGS`: an entry per booking, each field with
/// the sequence it came from (`BookingFold`'s reading of the events, `BookingRowChange`), kept
/// compact — ids and other strings interned once, sequences as 32-bit offsets from the fold's
/// base, entries of fixed size (80 bytes) in chunks — so that 714,000 bookings take about
/// 75 MB and no big array is copied as it grows.
///
/// Entries from different readers (or spills) of the same booking merge field by field on
/// those sequences (`FoldedBooking.merge`), in any order.
final class BookingRebuildFold: RebuildFold, @unchecked Sendable {
    // @unchecked: a reader's tasks use the fold one after the other, then `finish` only reads
    // it (several folds at once, from several tasks).

    /// Booking ids; a booking's index here is its entry's index.
    private(set) var ids = InternedStrings()
    /// Resource, site and person ids, kinds and zones.
    private(set) var values = InternedStrings()
    private var chunks: [[FoldedBooking]] = []
    /// Whether entries were written to `booking_partials` (then `finish` merges in SQL).
    private(set) var spilled = false
    /// Sequences are stored as offsets from here (0 meaning none): set by the first event
    /// folded (again after a spill).
    private(set) var base: UInt64?

    /// The longest run of the stream one fold can hold without a spill: its offsets are 32-bit.
    static let maximumRange = UInt64(UInt32.max) - 1

    static let chunkShift = 14
    static let chunkSize = 1 << chunkShift

    var count: Int { ids.count }

    func entry(_ index: Int) -> FoldedBooking { chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)] }

    /// A stored offset as a stream sequence.
    func sequence(_ offset: UInt32) -> Int64 { offset == 0 ? 0 : Int64((base ?? 0) + UInt64(offset)) }

    func add(_ event: any Sendable, sequence: UInt64) throws -> Bool {
        // Unknown types (written by a newer version) change nothing here, as in `apply`.
        guard let event = BookingEvent(payload: event) else { return true }
        return try add(event, sequence: sequence)
    }

    /// Folds one event in; false for one that is not about a booking's row.
    func add(_ event: BookingEvent, sequence stream: UInt64) throws -> Bool {
        guard let change = BookingRowChange(event) else { return false }
        let base = self.base ?? (stream > 0 ? stream - 1 : 0)
        self.base = base
        guard stream > base, let sequence = UInt32(exactly: stream - base), UInt64(sequence) <= Self.maximumRange else {
            throw BookingReadModelError("sequence \(stream) is more than \(Self.maximumRange) past the fold's first; read in shorter ranges")
        }
        switch change {
        case .upsert(let u):
            guard let attendees = Int32(exactly: u.attendees) else { throw BookingReadModelError("attendees \(u.attendees) out of range") }
            let resource = intern(u.resourceId), site = intern(u.siteId)
            let person = intern(u.personId), kind = intern(u.kind), zone = intern(u.bookerTimeZone)
            update(u.bookingId, sequence) {
                if $0.firstSeq == 0 {
                    $0.firstSeq = sequence
                    $0.person = person
                    $0.kind = kind
                    $0.zone = zone
                }
                $0.placeSeq = sequence
                $0.resource = resource
                $0.site = site
                $0.attendees = attendees
                $0.timesSeq = sequence
                $0.start = u.start.timeIntervalSinceReferenceDate
                $0.end = u.end.timeIntervalSinceReferenceDate
            }
        case .status(let bookingId, let status):
            update(bookingId, sequence) { $0.statusSeq = sequence; $0.status = status.rawValue }
        case .reschedule(let bookingId, let start, let end):
            update(bookingId, sequence) {
                $0.timesSeq = sequence
                $0.start = start.timeIntervalSinceReferenceDate
                $0.end = end.timeIntervalSinceReferenceDate
            }
        case .checkIn(let bookingId, let at):
            update(bookingId, sequence) {
                $0.statusSeq = sequence
                $0.status = BookingRowStatus.checkedIn.rawValue
                $0.checkInSeq = sequence
                $0.checkedInAt = at.timeIntervalSinceReferenceDate
            }
        case .unchanged:
            break
        }
        return true
    }

    private func intern(_ value: String) -> UInt32 { UInt32(values.intern(value).index) }

    private func update(_ bookingId: String, _ sequence: UInt32, _ change: (inout FoldedBooking) -> Void) {
        let (index, inserted) = ids.intern(bookingId)
        if inserted {
            if index & (Self.chunkSize - 1) == 0 {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(Self.chunkSize)
            }
            chunks[chunks.count - 1].append(FoldedBooking())
        }
        change(&chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)])
        chunks[index >> Self.chunkShift][index & (Self.chunkSize - 1)].lastSeq = sequence
    }

    func spill(into schema: String, connection: PostgresConnection) async throws {
        var index = 0
        try await connection.copyFrom(table: "booking_partials", schema: schema, columns: BookingReadModel.partialColumns) { encoder in
            let end = min(count, index + 512)
            while index < end {
                try writePartial(index, into: &encoder)
                index += 1
            }
            return index < count
        }
        spilled = true
        ids.removeAll()
        values.removeAll()
        chunks = []
        base = nil
    }

    /// Entry `index` as a row of `booking_partials` (`BookingReadModel.partialColumns`).
    private func writePartial(_ index: Int, into encoder: inout CopyTextEncoder) throws {
        let e = entry(index)
        try ids.withUTF8(at: index) { try encoder.text(utf8: $0) }
        let first = e.firstSeq != 0, status = BookingRowStatus(rawValue: e.status)
        sequence(e.firstSeq, &encoder)
        try text(first ? e.person : nil, &encoder)
        try text(first ? e.kind : nil, &encoder)
        try text(first ? e.zone : nil, &encoder)
        let placed = e.placeSeq != 0
        sequence(e.placeSeq, &encoder)
        try text(placed ? e.resource : nil, &encoder)
        try text(placed ? e.site : nil, &encoder)
        if placed { encoder.integer(Int64(e.attendees)) } else { encoder.null() }
        sequence(e.timesSeq, &encoder)
        encoder.timestamp(e.timesSeq != 0 ? Date(timeIntervalSinceReferenceDate: e.start) : nil)
        encoder.timestamp(e.timesSeq != 0 ? Date(timeIntervalSinceReferenceDate: e.end) : nil)
        sequence(e.statusSeq, &encoder)
        try encoder.text(status?.text)
        sequence(e.checkInSeq, &encoder)
        encoder.timestamp(e.checkInSeq != 0 ? Date(timeIntervalSinceReferenceDate: e.checkedInAt) : nil)
        encoder.integer(sequence(e.lastSeq))
        encoder.endRow()
    }

    /// A field's sequence, or NULL for 0 (no such event).
    private func sequence(_ offset: UInt32, _ encoder: inout CopyTextEncoder) {
        if offset == 0 { encoder.null() } else { encoder.integer(sequence(offset)) }
    }

    /// A value's text, or NULL.
    func text(_ value: UInt32?, _ encoder: inout CopyTextEncoder) throws {
        guard let value else { return encoder.null() }
        try values.withUTF8(at: Int(value)) { try encoder.text(utf8: $0) }
    }
}

/// One booking's fields over a range of the stream, each group with the sequence of the event
/// it came from, as an offset from the fold's base (0: no such event in the range). Strings
/// are indices into the fold's `values`; times are seconds since the reference date, as `Date`
/// keeps them.
struct FoldedBooking {
    var start = 0.0, end = 0.0, checkedInAt = 0.0
    /// The first placement or move-in: who, kind, zone.
    var firstSeq: UInt32 = 0
    /// The last placement or move-in: resource, site, attendees.
    var placeSeq: UInt32 = 0
    /// The last placement, move-in or reschedule: start and end.
    var timesSeq: UInt32 = 0
    /// The last cancellation, release or check-in.
    var statusSeq: UInt32 = 0
    /// The last check-in.
    var checkInSeq: UInt32 = 0
    var lastSeq: UInt32 = 0
    var person: UInt32 = 0, kind: UInt32 = 0, zone: UInt32 = 0, resource: UInt32 = 0, site: UInt32 = 0
    var attendees: Int32 = 0
    var status: UInt8 = 0
}

struct BookingReadModelError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
