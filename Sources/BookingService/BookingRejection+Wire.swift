import Booking

/// Stable codes for programs and the input field at fault, for command replies and HTTP
/// problem bodies. The switch is exhaustive on purpose: a new rejection needs a code here.
extension BookingRejection {
    public var code: String {
        switch self {
        case .invalidInput: "invalid_input"
        case .endNotAfterStart: "end_not_after_start"
        case .offSlotGrid: "off_slot_grid"
        case .notAnAppointmentSlot: "not_an_appointment_slot"
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .wrongAppointmentLength: "wrong_appointment_length"
        case .outsideOpeningHours: "outside_opening_hours"
        case .siteClosed: "site_closed"
        case .tooShortNotice: "too_short_notice"
        case .tooFarAhead: "too_far_ahead"
        case .inThePast: "in_the_past"
        case .slotTaken: "slot_taken"
        case .tooManyAttendees: "too_many_attendees"
        case .dailyLimitReached: "daily_limit_reached"
        case .futureBookingsLimitReached: "future_bookings_limit_reached"
        case .notAllowed: "not_allowed"
        case .notYourBooking: "not_your_booking"
        case .tooLateToCancel: "too_late_to_cancel"
        case .tooLateToChange: "too_late_to_change"
        case .bookingNotFound: "booking_not_found"
        case .bookingAlreadyExists: "booking_already_exists"
        case .bookingNotActive: "booking_not_active"
        case .checkInNotOpenYet: "check_in_not_open_yet"
        case .checkInClosed: "check_in_closed"
        case .checkInStillOpen: "check_in_still_open"
        case .sameResource: "same_resource"
        case .differentSite: "different_site"
        case .differentKind: "different_kind"
        case .unknownSite: "unknown_site"
        case .unknownBuilding: "unknown_building"
        case .unknownFloor: "unknown_floor"
        case .unknownResource: "unknown_resource"
        case .unknownGroup: "unknown_group"
        case .unknownClosure: "unknown_closure"
        case .alreadyExists: "already_exists"
        }
    }

    /// The request field a person should look at, when one is at fault.
    public var field: String? {
        switch self {
        case .invalidInput(let field, _): field
        case .endNotAfterStart, .tooShort, .tooLong, .wrongAppointmentLength: "end"
        case .offSlotGrid, .notAnAppointmentSlot, .outsideOpeningHours, .siteClosed, .tooShortNotice, .tooFarAhead, .inThePast: "start"
        case .tooManyAttendees: "attendees"
        case .unknownSite: "siteId"
        case .unknownResource, .sameResource, .differentSite, .differentKind: "resourceId"
        case .bookingNotFound, .bookingAlreadyExists: "bookingId"
        default: nil
        }
    }
}
