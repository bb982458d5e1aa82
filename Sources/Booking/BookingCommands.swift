import Foundation

// Commands of people booking. Every command carries an idempotency key: the handler derives the
// events' `Nats-Msg-Id` from it, so a retried command appends nothing and gets the first answer.

/// Book `resourceId` from `start` to `end` (UTC instants) for the acting person.
public struct PlaceBooking: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    /// Chosen by the caller (e.g. derived from the idempotency key), so the decision is pure.
    public var bookingId: BookingID
    public var siteId: SiteID
    public var resourceId: ResourceID
    public var start: Date
    public var end: Date
    /// People in a room booking; 1 for everything else.
    public var attendees: Int
    /// The booker's IANA zone, kept on the booking.
    public var bookerTimeZone: String
    /// The booker's name and mail address, for mail about the booking (flows).
    public var contact: BookingContact?

    public init(idempotencyKey: String, bookingId: BookingID, siteId: SiteID, resourceId: ResourceID, start: Date, end: Date, attendees: Int = 1, bookerTimeZone: String,
                contact: BookingContact? = nil) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.siteId = siteId
        self.resourceId = resourceId
        self.start = start
        self.end = end
        self.attendees = attendees
        self.bookerTimeZone = bookerTimeZone
        self.contact = contact
    }
}

public struct CancelBooking: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var reason: String?

    public init(idempotencyKey: String, bookingId: BookingID, resourceId: ResourceID, reason: String? = nil) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.reason = reason
    }
}

/// New start and end, same resource.
public struct ChangeBookingTime: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var bookingId: BookingID
    public var resourceId: ResourceID
    public var start: Date
    public var end: Date

    public init(idempotencyKey: String, bookingId: BookingID, resourceId: ResourceID, start: Date, end: Date) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.start = start
        self.end = end
    }
}

/// Same times, another resource of the same site: one atomic batch over both resources.
public struct MoveBooking: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var bookingId: BookingID
    public var fromResourceId: ResourceID
    public var toResourceId: ResourceID

    public init(idempotencyKey: String, bookingId: BookingID, fromResourceId: ResourceID, toResourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.fromResourceId = fromResourceId
        self.toResourceId = toResourceId
    }
}

public struct CheckIn: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var bookingId: BookingID
    public var resourceId: ResourceID

    public init(idempotencyKey: String, bookingId: BookingID, resourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.resourceId = resourceId
    }
}

/// Frees a booking nobody checked in to, once the check-in window has closed (admins and the
/// flow runtime's system actor).
public struct ReleaseNoShow: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var bookingId: BookingID
    public var resourceId: ResourceID

    public init(idempotencyKey: String, bookingId: BookingID, resourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.bookingId = bookingId
        self.resourceId = resourceId
    }
}

public struct AddFavourite: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var siteId: SiteID
    public var resourceId: ResourceID

    public init(idempotencyKey: String, siteId: SiteID, resourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.siteId = siteId
        self.resourceId = resourceId
    }
}

public struct RemoveFavourite: Codable, Equatable, Sendable {
    public var idempotencyKey: String
    public var resourceId: ResourceID

    public init(idempotencyKey: String, resourceId: ResourceID) {
        self.idempotencyKey = idempotencyKey
        self.resourceId = resourceId
    }
}
