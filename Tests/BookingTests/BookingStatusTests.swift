import Booking
import Testing

@Suite("Booking status state machine")
struct BookingStatusTests {
    @Test("allowed transitions lead where the diagram says",
          arguments: [
            (BookingStatus.placed, BookingStatus.Transition.checkIn, BookingStatus.checkedIn),
            (.placed, .cancel, .cancelled),
            (.placed, .releaseNoShow, .releasedAsNoShow),
            (.placed, .moveAway, .movedAway),
            (.placed, .changeTime, .placed),
            (.placed, .complete, .completed),
            (.checkedIn, .complete, .completed),
            (.checkedIn, .cancel, .cancelled),
          ])
    func allowed(from: BookingStatus, transition: BookingStatus.Transition, to: BookingStatus) {
        #expect(from.after(transition) == to)
    }

    @Test("final states allow nothing", arguments: [BookingStatus.completed, .cancelled, .releasedAsNoShow, .movedAway])
    func finalStatesAllowNothing(status: BookingStatus) {
        #expect(status.isFinal)
        #expect(!status.holdsSlot)
        for transition in BookingStatus.Transition.allCases {
            #expect(status.after(transition) == nil, "\(status) → \(transition)")
        }
    }

    @Test("a checked-in booking cannot be checked in again, released, moved or rescheduled")
    func checkedInRefuses() {
        for transition in [BookingStatus.Transition.checkIn, .releaseNoShow, .moveAway, .changeTime] {
            #expect(BookingStatus.checkedIn.after(transition) == nil)
        }
        #expect(BookingStatus.checkedIn.holdsSlot)
    }
}
