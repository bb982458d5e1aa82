import Booking
import Foundation
import PostgresClient

/// What a run of booking events, in stream order, does to each booking it touches: one entry
/// per booking instead of one row per event. The incremental apply stages these entries and
/// merges them with the bookings' current rows (`BatchStaging.foldSQL`); folding in memory
/// costs a dictionary lookup per event, where the same fold in SQL sorted every event's row.
///
/// Each field remembers the sequence it came from, so the entry is right both for a booking
/// that exists already (every operation counts) and for a new one (operations before its
/// first placement or move-in changed nothing, as applying them one by one would give).
struct BookingFold {
    struct Entry: Equatable {
        let bookingId: String
        /// The first placement or move-in, and what only it sets: who, kind and zone.
        var firstUpsert: Int64?
        var personId: String?
        var kind: String?
        var bookerTimeZone: String?
        /// The last placement or move-in: where, and for how many.
        var resourceId: String?
        var siteId: String?
        var attendees: Int?
        /// The last placement, move-in or reschedule.
        var start: Date?
        var end: Date?
        /// The last cancellation, release or check-in.
        var status: String?
        var statusSequence: Int64?
        var checkedInAt: Date?
        var checkInSequence: Int64?
        var lastSequence: Int64
    }

    private(set) var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    var isEmpty: Bool { entries.isEmpty }

    /// Folds one event in; false for an event that is not about a booking's row (catalog,
    /// favourites), which the caller applies itself. Person-subject events and a move's
    /// outgoing half change no row: true, nothing recorded.
    mutating func add(_ event: BookingEvent, sequence: Int64) -> Bool {
        guard let change = BookingRowChange(event) else { return false }
        switch change {
        case .upsert(let u):
            update(u.bookingId, sequence) {
                if $0.firstUpsert == nil {
                    $0.firstUpsert = sequence
                    $0.personId = u.personId
                    $0.kind = u.kind
                    $0.bookerTimeZone = u.bookerTimeZone
                }
                $0.resourceId = u.resourceId
                $0.siteId = u.siteId
                $0.attendees = u.attendees
                $0.start = u.start
                $0.end = u.end
            }
        case .status(let bookingId, let status):
            update(bookingId, sequence) { $0.status = status.text; $0.statusSequence = sequence }
        case .reschedule(let bookingId, let start, let end):
            update(bookingId, sequence) { $0.start = start; $0.end = end }
        case .checkIn(let bookingId, let at):
            update(bookingId, sequence) {
                $0.status = BookingRowStatus.checkedIn.text
                $0.statusSequence = sequence
                $0.checkedInAt = at
                $0.checkInSequence = sequence
            }
        case .unchanged:
            break
        }
        return true
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }

    private mutating func update(_ bookingId: String, _ sequence: Int64, _ change: (inout Entry) -> Void) {
        let position: Int
        if let known = positions[bookingId] {
            position = known
        } else {
            position = entries.count
            positions[bookingId] = position
            entries.append(Entry(bookingId: bookingId, lastSequence: sequence))
        }
        change(&entries[position])
        entries[position].lastSequence = sequence
    }

    /// The staging table's columns, in `row(_:)`'s order.
    static let columns = ["booking_id", "first_upsert_seq", "person_id", "kind", "booker_time_zone", "resource_id", "site_id", "attendees",
                          "start_at", "end_at", "status", "status_seq", "checked_in_at", "checkin_seq", "last_sequence"]

    /// The entry as COPY text, built from the concrete values (no boxing per value).
    static func textRow(_ entry: Entry) -> [String?] {
        [entry.bookingId, entry.firstUpsert.map(String.init), entry.personId, entry.kind, entry.bookerTimeZone,
         entry.resourceId, entry.siteId, entry.attendees.map(String.init), entry.start?.postgresText, entry.end?.postgresText,
         entry.status, entry.statusSequence.map(String.init), entry.checkedInAt?.postgresText, entry.checkInSequence.map(String.init),
         String(entry.lastSequence)]
    }
}
