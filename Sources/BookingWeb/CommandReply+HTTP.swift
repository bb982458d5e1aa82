import CommandBus
import Foundation

extension CommandReply {
    /// The HTTP status of a rejection code: conflicts with the state of things are 409 (the
    /// request was fine, the world was not), a booking that is missing or someone else's is a
    /// 404 that does not say which, lacking rights is 403, everything else invalid input (422).
    static func status(ofRejection code: String) -> Int {
        switch code {
        case "slot_taken", "conflict", "daily_limit_reached", "future_bookings_limit_reached", "booking_already_exists",
             "already_exists", "booking_not_active", "too_late_to_cancel", "too_late_to_change", "check_in_not_open_yet",
             "check_in_closed", "check_in_still_open":
            409
        case "booking_not_found", "not_your_booking": 404
        case "not_allowed": 403
        case "idempotency_key_reused": 422
        default: 422
        }
    }

    /// The problem for a rejected or failed reply; nil when accepted.
    var problem: Problem? {
        switch self {
        case .accepted: return nil
        case .rejected(let code, let message, let field):
            let status = Self.status(ofRejection: code)
            if status == 404 {
                // Same answer for "not there" and "someone else's": existence is not leaked.
                return Problem(status: 404, title: "Not found", detail: "There is no such booking of yours.", code: "booking_not_found")
            }
            let title = status == 409 ? "That cannot be booked right now" : status == 403 ? "Not allowed" : "The request cannot be carried out"
            return Problem(status: status, title: title, detail: message, code: code, field: field)
        case .failed:
            return .unavailable("The booking service could not handle this just now; please try again.")
        }
    }
}

/// What an accepted write answers: the booking it is about and where its events landed, so a
/// client can wait for read models to reach `sequence` before reading its own write.
struct CommandAccepted: Codable, Sendable, Equatable {
    var bookingId: String?
    var sequence: UInt64?
    var sequences: [UInt64]
    /// True when this was a retry answered with the first result.
    var duplicate: Bool
    /// Whether the read models already show this write (absent when the app does not wait for
    /// them); false means the wait timed out and a GET may not show it yet.
    var readModelCurrent: Bool?
}
