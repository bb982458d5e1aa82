import Booking
import Foundation

// Request bodies of the booking endpoints. The booking id comes from the path (or, for a new
// booking, from the Idempotency-Key), never from the body; times are RFC 3339.

struct PlaceBookingRequest: Codable, Sendable {
    var siteId: SiteID
    var resourceId: ResourceID
    var start: Date
    var end: Date
    var attendees: Int?
    /// The booker's IANA zone (the page sends the browser's); the site's zone when absent.
    var bookerTimeZone: String?
}

struct CancelBookingRequest: Codable, Sendable {
    var resourceId: ResourceID
    var reason: String?
}

struct ChangeBookingRequest: Codable, Sendable {
    var resourceId: ResourceID
    var start: Date
    var end: Date
}

struct MoveBookingRequest: Codable, Sendable {
    var fromResourceId: ResourceID
    var toResourceId: ResourceID
}

struct CheckInRequest: Codable, Sendable {
    var resourceId: ResourceID
}

/// A 400 naming `field` when `value` cannot be an identifier (it would become a subject token).
func checkIdentifier(_ value: String, field: String) throws(Problem) {
    if let problem = Identifier.problem(with: value) {
        throw .badRequest("\(field) \(problem).", field: field)
    }
}
