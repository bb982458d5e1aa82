import Foundation

/// Why a command was refused: typed for programs, `message` for people.
public enum BookingRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidInput(field: String, reason: String)
    case endNotAfterStart
    case offSlotGrid(granularityMinutes: Int)
    case notAnAppointmentSlot
    case tooShort(minimumMinutes: Int)
    case tooLong(maximumMinutes: Int)
    case wrongAppointmentLength(minutes: Int)
    case outsideOpeningHours
    case siteClosed(date: LocalDate, reason: String)
    case tooShortNotice(minimumMinutes: Int)
    case tooFarAhead(maximumDays: Int)
    case inThePast
    case slotTaken
    case tooManyAttendees(seats: Int)
    case dailyLimitReached(kind: ResourceKind, limit: Int)
    case futureBookingsLimitReached(limit: Int)
    case notAllowed(reason: String)
    case notYourBooking
    case tooLateToCancel(minimumMinutes: Int)
    case tooLateToChange(minimumMinutes: Int)
    case bookingNotFound(BookingID)
    case bookingAlreadyExists(BookingID)
    case bookingNotActive(status: BookingStatus)
    case checkInNotOpenYet(opensAt: Date)
    case checkInClosed
    case checkInStillOpen(closesAt: Date)
    case sameResource
    case differentSite
    case differentKind(from: ResourceKind, to: ResourceKind)
    case unknownSite(SiteID)
    case unknownBuilding(BuildingID)
    case unknownFloor(FloorID)
    case unknownResource(ResourceID)
    case unknownGroup(GroupID)
    case unknownClosure(ClosureID)
    case alreadyExists(what: String, id: String)

    public var message: String {
        switch self {
        case .invalidInput(let field, let reason): "\(field) \(reason)."
        case .endNotAfterStart: "The end must be after the start."
        case .offSlotGrid(let minutes): "Bookings here start and end on a \(minutes)-minute grid; please pick a time on it."
        case .notAnAppointmentSlot: "Appointments start only at the offered times; please pick one of them."
        case .tooShort(let minutes): "A booking here must last at least \(minutes) minutes."
        case .tooLong(let minutes): "A booking here may last at most \(minutes) minutes."
        case .wrongAppointmentLength(let minutes): "An appointment here lasts exactly \(minutes) minutes."
        case .outsideOpeningHours: "That time is outside the site's opening hours."
        case .siteClosed(let date, let reason): "The site is closed on \(date) (\(reason))."
        case .tooShortNotice(let minutes): "This must be booked at least \(minutes) minutes in advance."
        case .tooFarAhead(let days): "You can book at most \(days) days ahead."
        case .inThePast: "That time has already passed."
        case .slotTaken: "Sorry, that time is already taken."
        case .tooManyAttendees(let seats): "This room has \(seats) seats; that is fewer than the attendees."
        case .dailyLimitReached(let kind, let limit): "You already have \(limit) \(kind.displayName) booking\(limit == 1 ? "" : "s") on that day, the most allowed."
        case .futureBookingsLimitReached(let limit): "You already have \(limit) upcoming bookings, the most allowed."
        case .notAllowed(let reason): "You are not allowed to do this: \(reason)."
        case .notYourBooking: "This booking belongs to someone else."
        case .tooLateToCancel(let minutes): "It is too late to cancel: cancellations are possible until \(minutes) minutes before the start."
        case .tooLateToChange(let minutes): "It is too late to change this booking: changes are possible until \(minutes) minutes before the start."
        case .bookingNotFound(let id): "There is no booking \(id) on this resource."
        case .bookingAlreadyExists(let id): "A booking \(id) already exists."
        case .bookingNotActive(let status): "This booking is \(status.inWords), so it cannot be changed."
        case .checkInNotOpenYet: "Check-in is not open yet."
        case .checkInClosed: "Check-in has closed for this booking."
        case .checkInStillOpen: "Check-in is still open, so the booking cannot be released yet."
        case .sameResource: "The booking is already on that resource."
        case .differentSite: "A booking can only be moved to a resource of the same site."
        case .differentKind(let from, let to): "A \(from.displayName) booking cannot be moved to a \(to.displayName); please book it separately."
        case .unknownSite(let id): "There is no site \(id)."
        case .unknownBuilding(let id): "There is no building \(id) at this site."
        case .unknownFloor(let id): "There is no floor \(id) at this site."
        case .unknownResource(let id): "There is no resource \(id) at this site."
        case .unknownGroup(let id): "There is no restriction group \(id) at this site."
        case .unknownClosure(let id): "There is no closure \(id) at this site."
        case .alreadyExists(let what, let id): "A \(what) with id \(id) already exists."
        }
    }

    public var description: String { message }
}
