import Booking
import Foundation
import PostgresClient
import Testing

@testable import BookingReadModels

/// The in-memory fold the incremental apply stages: one entry per booking, each field with
/// the sequence it came from, so the SQL merge can tell what counts for a new booking.
@Suite("Booking fold")
struct BookingFoldTests {
    static let start = Date(timeIntervalSince1970: 1_799_740_800)

    static func placed(_ id: String, on desk: String, person: String = "ada", attendees: Int = 1) -> BookingEvent {
        .bookingPlaced(BookingPlaced(bookingId: id, resourceId: desk, siteId: "site", personId: person, kind: .desk, start: start,
                                     end: start.addingTimeInterval(3_600), attendees: attendees, bookerTimeZone: "Europe/Zurich"))
    }

    static func movedIn(_ id: String, to desk: String, attendees: Int) -> BookingEvent {
        .bookingMovedIn(BookingMovedIn(bookingId: id, resourceId: desk, fromResourceId: "d1", siteId: "site", personId: "someone-else",
                                       kind: .room, start: start.addingTimeInterval(7_200), end: start.addingTimeInterval(9_000),
                                       attendees: attendees, bookerTimeZone: "UTC"))
    }

    static func fold(_ events: [BookingEvent], from first: Int64 = 1) -> BookingFold {
        var fold = BookingFold()
        for (offset, event) in events.enumerated() {
            let taken = fold.add(event, sequence: first + Int64(offset))
            #expect(taken)
        }
        return fold
    }

    @Test("Given a placement, a move and a check-in, when folded, then one entry keeps who from the placement and where from the move")
    func givenPlacementMoveAndCheckInWhenFoldedThenOneEntry() throws {
        let fold = Self.fold([
            Self.placed("b1", on: "d1"),
            .bookingMovedOut(BookingMovedOut(bookingId: "b1", resourceId: "d1", toResourceId: "d2")),
            Self.movedIn("b1", to: "d2", attendees: 3),
            .bookingCheckedIn(BookingCheckedIn(bookingId: "b1", resourceId: "d2", checkedInAt: Self.start.addingTimeInterval(7_300))),
        ], from: 10)

        let entry = try #require(fold.entries.first)
        #expect(fold.entries.count == 1)
        #expect(entry.firstUpsert == 10)
        #expect(entry.personId == "ada" && entry.kind == "desk" && entry.bookerTimeZone == "Europe/Zurich")
        #expect(entry.resourceId == "d2" && entry.attendees == 3)
        #expect(entry.start == Self.start.addingTimeInterval(7_200))
        #expect(entry.status == "checked_in" && entry.statusSequence == 13 && entry.checkInSequence == 13)
        #expect(entry.lastSequence == 13)
    }

    @Test("Given a cancellation before the booking's placement, when folded, then the status keeps its earlier sequence for the merge to ignore")
    func givenCancellationBeforePlacementWhenFoldedThenStatusSequenceEarlier() throws {
        let fold = Self.fold([
            .bookingCancelled(BookingCancelled(bookingId: "b2", resourceId: "d1", cancelledBy: "ada")),
            Self.placed("b2", on: "d1"),
        ])

        let entry = try #require(fold.entries.first)
        #expect(entry.status == "cancelled")
        #expect(try #require(entry.statusSequence) < (try #require(entry.firstUpsert)))
        #expect(entry.lastSequence == 2)
    }

    @Test("Given person-subject events and a move's outgoing half only, when folded, then no booking is touched")
    func givenPersonEventsWhenFoldedThenNoEntry() {
        let fold = Self.fold([
            .bookingMovedOut(BookingMovedOut(bookingId: "b3", resourceId: "d1", toResourceId: "d2")),
        ])
        #expect(fold.isEmpty)
    }

    @Test("Given a catalog event, when folded, then the fold declines it for the caller to apply")
    func givenCatalogEventWhenFoldedThenDeclined() {
        var fold = BookingFold()
        let catalog = BookingEvent.siteCreated(SiteCreated(siteId: "site", name: "Site", country: "CH", timeZone: "Europe/Zurich",
                                                           openingHours: [], policy: BookingPolicy()))
        let taken = fold.add(catalog, sequence: 1)
        #expect(!taken)
        #expect(fold.isEmpty)
    }

    @Test("Given two bookings, when folded and staged, then the rows keep first-seen order with absent fields as NULL")
    func givenTwoBookingsWhenStagedThenRowsInOrder() {
        let fold = Self.fold([
            Self.placed("b1", on: "d1"),
            .bookingRescheduled(BookingRescheduled(bookingId: "b4", resourceId: "d1", start: Self.start, end: Self.start)),
            .bookingCancelled(BookingCancelled(bookingId: "b1", resourceId: "d1", cancelledBy: "ada")),
        ])
        #expect(fold.entries.map(\.bookingId) == ["b1", "b4"])
        let rows = fold.entries.map(BookingFold.textRow)
        #expect(rows.allSatisfy { $0.count == BookingFold.columns.count })
        #expect(rows[1][1] == nil && rows[1][8] == Self.start.postgresText && rows[1][14] == "2")
        #expect(fold.entries[1].firstUpsert == nil && fold.entries[1].personId == nil)
        #expect(fold.entries[0].lastSequence == 3 && fold.entries[1].lastSequence == 2)
    }
}
