import Booking
import Foundation

/// One booking as the events of its resource subject tell it: what trigger data is built from
/// (never a read model, so a run sees the booking exactly as of its triggering event).
public struct BookingFacts: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable { case active, cancelled, releasedAsNoShow = "released_no_show", movedOut = "moved_out" }

    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var siteId: SiteID = ""
    public var personId: PersonID = ""
    public var kind: ResourceKind?
    public var start: Date?
    public var end: Date?
    public var attendees = 1
    public var bookerTimeZone = ""
    public var contact: BookingContact?
    public var checkedIn = false
    public var status = Status.active
    /// The resource it came from when it was moved here (the contact is on that subject).
    public var movedFrom: ResourceID?
    /// Ids of this booking's events on the subject, in order (runs they started are derived from them).
    public var eventIds: [String] = []
    /// Every start–end the booking has had, oldest first: a booking-time run started before a
    /// reschedule is keyed by the due time of the times it had then.
    public var timesHeld: [DateInterval] = []

    public init(bookingId: BookingID, resourceId: ResourceID) {
        self.bookingId = bookingId
        self.resourceId = resourceId
    }

    /// Folds one event of the resource subject; events of other bookings change nothing.
    public mutating func apply(_ event: BookingEvent, eventId: String) {
        guard event.bookingId == bookingId else { return }
        eventIds.append(eventId)
        switch event {
        case .bookingPlaced(let placed):
            siteId = placed.siteId
            personId = placed.personId
            kind = placed.kind
            start = placed.start
            end = placed.end
            attendees = placed.attendees
            bookerTimeZone = placed.bookerTimeZone
            contact = placed.contact
            status = .active
            hold(placed.start, placed.end)
        case .bookingMovedIn(let moved):
            siteId = moved.siteId
            personId = moved.personId
            kind = moved.kind
            start = moved.start
            end = moved.end
            attendees = moved.attendees
            bookerTimeZone = moved.bookerTimeZone
            movedFrom = moved.fromResourceId
            status = .active
            hold(moved.start, moved.end)
        case .bookingRescheduled(let rescheduled):
            start = rescheduled.start
            end = rescheduled.end
            hold(rescheduled.start, rescheduled.end)
        case .bookingCancelled:
            status = .cancelled
        case .bookingReleasedAsNoShow:
            status = .releasedAsNoShow
        case .bookingMovedOut:
            status = .movedOut
        case .bookingCheckedIn:
            checkedIn = true
        default:
            break
        }
    }

    public var isKnown: Bool { start != nil }

    mutating func hold(_ start: Date, _ end: Date) {
        guard end >= start else { return }
        let interval = DateInterval(start: start, end: end)
        if !timesHeld.contains(interval) { timesHeld.append(interval) }
    }

    /// These facts with the booking at `interval` instead (for due times it used to have).
    func holding(_ interval: DateInterval) -> BookingFacts {
        var copy = self
        copy.start = interval.start
        copy.end = interval.end
        return copy
    }
}

extension BookingEvent {
    /// The booking a lifecycle event is about (`nil` for catalog and person events).
    public var bookingId: BookingID? {
        switch self {
        case .bookingPlaced(let event): event.bookingId
        case .bookingCancelled(let event): event.bookingId
        case .bookingRescheduled(let event): event.bookingId
        case .bookingMovedOut(let event): event.bookingId
        case .bookingMovedIn(let event): event.bookingId
        case .bookingCheckedIn(let event): event.bookingId
        case .bookingReleasedAsNoShow(let event): event.bookingId
        default: nil
        }
    }
}
