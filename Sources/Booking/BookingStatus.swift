import Foundation

/// The life of one booking on its resource, as a state machine of its own.
///
///     placed ──check in──▶ checkedIn ──complete──▶ completed
///       │ ╲──complete──▶ completed
///       ├──cancel──▶ cancelled
///       ├──release──▶ releasedAsNoShow
///       └──move away──▶ movedAway        (continues as `placed` on the other resource)
///
/// Every state but `placed` and `checkedIn` is final. A checked-in booking can still be
/// cancelled (leaving early frees the rest of the slot).
public enum BookingStatus: String, Codable, Equatable, Sendable, CaseIterable {
    case placed
    case checkedIn = "checked_in"
    case completed
    case cancelled
    case releasedAsNoShow = "released_no_show"
    case movedAway = "moved_away"

    public enum Transition: String, Sendable, CaseIterable {
        case checkIn, complete, cancel, releaseNoShow, moveAway, changeTime
    }

    /// The state after `transition`, or `nil` when it is not allowed from here.
    public func after(_ transition: Transition) -> BookingStatus? {
        switch (self, transition) {
        case (.placed, .checkIn): .checkedIn
        case (.placed, .complete), (.checkedIn, .complete): .completed
        case (.placed, .cancel), (.checkedIn, .cancel): .cancelled
        case (.placed, .releaseNoShow): .releasedAsNoShow
        case (.placed, .moveAway): .movedAway
        case (.placed, .changeTime): .placed
        default: nil
        }
    }

    /// Still holds its slot (counts against capacity and the person's limits).
    public var holdsSlot: Bool { self == .placed || self == .checkedIn }

    public var isFinal: Bool { !holdsSlot }

    var inWords: String {
        switch self {
        case .placed: "booked"
        case .checkedIn: "checked in"
        case .completed: "over"
        case .cancelled: "cancelled"
        case .releasedAsNoShow: "released because nobody checked in"
        case .movedAway: "moved to another resource"
        }
    }
}
