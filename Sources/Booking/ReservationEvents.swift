import Foundation

// Events of the resource aggregate (`bookings.resource.<resourceId>`): the bookings that
// occupy it. Read models build "bookings" from these alone.

/// `booking.placed`
public struct BookingPlaced: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var siteId: SiteID
    public var personId: PersonID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    public var attendees: Int
    /// The booker's IANA zone, to show times as they saw them.
    public var bookerTimeZone: String
    /// The booker's name and mail address when they booked (absent on bookings placed before
    /// it was kept, and when the token named neither).
    public var contact: BookingContact?

    public init(bookingId: BookingID, resourceId: ResourceID, siteId: SiteID, personId: PersonID, kind: ResourceKind, start: Date, end: Date, attendees: Int, bookerTimeZone: String,
                contact: BookingContact? = nil) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.siteId = siteId
        self.personId = personId
        self.kind = kind
        self.start = start
        self.end = end
        self.attendees = attendees
        self.bookerTimeZone = bookerTimeZone
        self.contact = contact
    }
}

/// `booking.cancelled`
public struct BookingCancelled: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var cancelledBy: PersonID
    public var reason: String?

    public init(bookingId: BookingID, resourceId: ResourceID, cancelledBy: PersonID, reason: String? = nil) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.cancelledBy = cancelledBy
        self.reason = reason
    }
}

/// `booking.rescheduled`: new start and end on the same resource.
public struct BookingRescheduled: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var start: Date
    public var end: Date

    public init(bookingId: BookingID, resourceId: ResourceID, start: Date, end: Date) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.start = start
        self.end = end
    }
}

/// `booking.moved_out`: on the resource left behind, in the same atomic batch as `booking.moved_in`.
public struct BookingMovedOut: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var toResourceId: ResourceID

    public init(bookingId: BookingID, resourceId: ResourceID, toResourceId: ResourceID) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.toResourceId = toResourceId
    }
}

/// `booking.moved_in`: the booking continues on this resource, same id and times.
public struct BookingMovedIn: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var fromResourceId: ResourceID
    public var siteId: SiteID
    public var personId: PersonID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    public var attendees: Int
    public var bookerTimeZone: String

    public init(bookingId: BookingID, resourceId: ResourceID, fromResourceId: ResourceID, siteId: SiteID, personId: PersonID, kind: ResourceKind, start: Date, end: Date, attendees: Int, bookerTimeZone: String) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.fromResourceId = fromResourceId
        self.siteId = siteId
        self.personId = personId
        self.kind = kind
        self.start = start
        self.end = end
        self.attendees = attendees
        self.bookerTimeZone = bookerTimeZone
    }
}

/// `booking.checked_in`
public struct BookingCheckedIn: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var checkedInAt: Date

    public init(bookingId: BookingID, resourceId: ResourceID, checkedInAt: Date) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.checkedInAt = checkedInAt
    }
}

/// `booking.released_no_show`: nobody checked in before the window closed.
public struct BookingReleasedAsNoShow: Codable, Equatable, Sendable {
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var releasedBy: PersonID

    public init(bookingId: BookingID, resourceId: ResourceID, releasedBy: PersonID) {
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.releasedBy = releasedBy
    }
}

// Events of the person aggregate (`bookings.person.<personId>`): what a person holds, so
// per-person limits are decided on a subject with its own expected sequence — no read model.

/// `person.booking_added`
public struct PersonBookingAdded: Codable, Equatable, Sendable {
    public var personId: PersonID
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var siteId: SiteID
    public var kind: ResourceKind
    public var start: Date
    public var end: Date
    /// The site-local date the booking starts on (what "one desk a day" counts).
    public var localDate: LocalDate

    public init(personId: PersonID, bookingId: BookingID, resourceId: ResourceID, siteId: SiteID, kind: ResourceKind, start: Date, end: Date, localDate: LocalDate) {
        self.personId = personId
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.siteId = siteId
        self.kind = kind
        self.start = start
        self.end = end
        self.localDate = localDate
    }
}

/// `person.booking_changed`: new time or resource.
public struct PersonBookingChanged: Codable, Equatable, Sendable {
    public var personId: PersonID
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var start: Date
    public var end: Date
    public var localDate: LocalDate

    public init(personId: PersonID, bookingId: BookingID, resourceId: ResourceID, start: Date, end: Date, localDate: LocalDate) {
        self.personId = personId
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.start = start
        self.end = end
        self.localDate = localDate
    }
}

/// `person.booking_removed`: cancelled or released; no longer counts.
public struct PersonBookingRemoved: Codable, Equatable, Sendable {
    public var personId: PersonID
    public var bookingId: BookingID

    public init(personId: PersonID, bookingId: BookingID) {
        self.personId = personId
        self.bookingId = bookingId
    }
}

/// `person.favourite_added`
public struct FavouriteAdded: Codable, Equatable, Sendable {
    public var personId: PersonID
    public var siteId: SiteID
    public var resourceId: ResourceID

    public init(personId: PersonID, siteId: SiteID, resourceId: ResourceID) {
        self.personId = personId
        self.siteId = siteId
        self.resourceId = resourceId
    }
}

/// `person.favourite_removed`
public struct FavouriteRemoved: Codable, Equatable, Sendable {
    public var personId: PersonID
    public var resourceId: ResourceID

    public init(personId: PersonID, resourceId: ResourceID) {
        self.personId = personId
        self.resourceId = resourceId
    }
}
