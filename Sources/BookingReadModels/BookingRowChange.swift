import Booking
import Foundation

/// What a booking event does to its booking's row in `bookings` — the one reading of the
/// events shared by the incremental fold (`BookingFold`) and the rebuild's (`BookingRebuildFold`),
/// so both give the same rows.
enum BookingRowChange {
    /// A placement or move-in: where, for whom, when. Who, kind and zone count only from a
    /// booking's first; the rest from its last.
    case upsert(Upsert)
    /// A cancellation or a release as no-show.
    case status(bookingId: String, BookingRowStatus)
    case reschedule(bookingId: String, start: Date, end: Date)
    case checkIn(bookingId: String, at: Date)
    /// About a booking, but no row changes (a move's outgoing half, the person-side copies).
    case unchanged

    struct Upsert {
        let bookingId: String, resourceId: String, siteId: String, personId: String, kind: String
        let start: Date, end: Date, attendees: Int, bookerTimeZone: String
    }

    /// Nil for an event that is not about a booking's row (catalog, favourites).
    init?(_ event: BookingEvent) {
        switch event {
        case .bookingPlaced(let e):
            self = .upsert(Upsert(bookingId: e.bookingId, resourceId: e.resourceId, siteId: e.siteId, personId: e.personId, kind: e.kind.rawValue,
                                  start: e.start, end: e.end, attendees: e.attendees, bookerTimeZone: e.bookerTimeZone))
        case .bookingMovedIn(let e):
            self = .upsert(Upsert(bookingId: e.bookingId, resourceId: e.resourceId, siteId: e.siteId, personId: e.personId, kind: e.kind.rawValue,
                                  start: e.start, end: e.end, attendees: e.attendees, bookerTimeZone: e.bookerTimeZone))
        case .bookingCancelled(let e):
            self = .status(bookingId: e.bookingId, .cancelled)
        case .bookingReleasedAsNoShow(let e):
            self = .status(bookingId: e.bookingId, .released)
        case .bookingRescheduled(let e):
            self = .reschedule(bookingId: e.bookingId, start: e.start, end: e.end)
        case .bookingCheckedIn(let e):
            self = .checkIn(bookingId: e.bookingId, at: e.checkedInAt)
        case .bookingMovedOut, .personBookingAdded, .personBookingChanged, .personBookingRemoved:
            self = .unchanged
        case .siteCreated, .siteOpeningHoursSet, .siteClosureAdded, .siteClosureRemoved, .sitePolicySet, .buildingAdded, .floorAdded,
             .resourceAdded, .resourceUpdated, .resourceRemoved, .resourcePolicySet, .groupDefined, .resourceRestricted,
             .favouriteAdded, .favouriteRemoved:
            return nil
        }
    }
}

/// `bookings.status` besides 'placed' (a booking with no status change).
enum BookingRowStatus: UInt8 {
    case cancelled = 1, released, checkedIn

    var text: String {
        switch self {
        case .cancelled: "cancelled"
        case .released: "released"
        case .checkedIn: "checked_in"
        }
    }

    static let placed = "placed"
}
