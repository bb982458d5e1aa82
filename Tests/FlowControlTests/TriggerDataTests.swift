import Booking
import FlowControl
import Flows
import Foundation
import Testing

@Suite("Trigger data from booking events")
struct TriggerDataTests {
    static let start = FlowTime.parse("2026-03-29T08:00:00Z")!  // 10:00 in Zürich, the day summer time starts

    static func placed(contact: BookingContact?) -> BookingEvent {
        .bookingPlaced(BookingPlaced(bookingId: "b1", resourceId: "desk-1", siteId: "zurich", personId: "ada", kind: .desk,
                                     start: start, end: start.addingTimeInterval(3600), attendees: 1, bookerTimeZone: "Europe/London", contact: contact))
    }

    @Test func givenABookingWithoutContactAndAnUnknownSite_whenTriggerDataIsBuilt_thenTheMissingFieldsAreEmpty() {
        var facts = BookingFacts(bookingId: "b1", resourceId: "desk-1")
        facts.apply(Self.placed(contact: nil), eventId: "e1")
        let data = TriggerData.booking(facts, site: nil)
        #expect(data.value(at: ["person", "email"]) == "")
        #expect(data.value(at: ["person", "name"]) == "")
        #expect(data.value(at: ["resource", "name"]) == "")
        #expect(data.value(at: ["site", "name"]) == "")
        #expect(data.value(at: ["booking", "checkedIn"]) == false)
        #expect(FlowTemplate.renderOrEmpty("Hello {{person.name}} at {{site.name}}.", data) == "Hello  at .")
    }

    @Test func givenAPlacedThenRescheduledAndCheckedInBooking_whenFolded_thenTheFactsAreTheLatest() {
        var facts = BookingFacts(bookingId: "b1", resourceId: "desk-1")
        facts.apply(Self.placed(contact: BookingContact(name: "Ada", email: "ada@example.test")), eventId: "e1")
        facts.apply(.bookingRescheduled(BookingRescheduled(bookingId: "b1", resourceId: "desk-1", start: Self.start.addingTimeInterval(3600),
                                                           end: Self.start.addingTimeInterval(7200))), eventId: "e2")
        facts.apply(.bookingCheckedIn(BookingCheckedIn(bookingId: "other", resourceId: "desk-1", checkedInAt: Self.start)), eventId: "e3")
        #expect(facts.start == Self.start.addingTimeInterval(3600))
        #expect(!facts.checkedIn)
        #expect(facts.eventIds == ["e1", "e2"])
        facts.apply(.bookingCheckedIn(BookingCheckedIn(bookingId: "b1", resourceId: "desk-1", checkedInAt: Self.start)), eventId: "e4")
        #expect(facts.checkedIn)
        facts.apply(.bookingCancelled(BookingCancelled(bookingId: "b1", resourceId: "desk-1", cancelledBy: "ada")), eventId: "e5")
        #expect(facts.status == .cancelled)
    }

    @Test func givenATimeOnTheDaySummerTimeStarts_whenShownLocally_thenItIsInTheSitesZone() {
        #expect(TriggerData.local(Self.start, in: TimeZone(identifier: "Europe/Zurich")!) == "2026-03-29 10:00")
        #expect(TriggerData.local(Self.start, in: TimeZone(identifier: "America/New_York")!) == "2026-03-29 04:00")
    }
}

extension FlowTemplate {
    static func renderOrEmpty(_ source: String, _ data: FlowValue) -> String {
        (try? FlowTemplate(source).render(data)) ?? ""
    }
}
