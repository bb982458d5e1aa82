import Foundation

/// Who to write to about a booking: the booker's name and mail address as their sign-in token
/// gave them when they booked (Cal.com keeps the attendee's name and email on the booking the
/// same way). Optional on the command and on `booking.placed`, so older events still decode;
/// flows render a missing field as empty.
public struct BookingContact: Codable, Equatable, Sendable {
    public var name: String?
    public var email: String?

    public init(name: String? = nil, email: String? = nil) {
        self.name = name
        self.email = email
    }
}
