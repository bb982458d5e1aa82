import AlmanacEvents
import Booking
import EventStore
import Testing

@Suite("Booking subjects")
struct BookingSubjectsTests {
    @Test("subjects are built from valid ids and read back as aggregates")
    func validIds() throws {
        #expect(try BookingSubjects.resource("zh-desk-001") == "bookings.resource.zh-desk-001")
        #expect(try BookingSubjects.person("ada_lovelace") == "bookings.person.ada_lovelace")
        #expect(try BookingSubjects.site("zurich") == "bookings.site.zurich")
        #expect(BookingSubjects.aggregate(of: "bookings.resource.zh-desk-001") == .resource("zh-desk-001"))
        #expect(BookingSubjects.aggregate(of: "bookings.site.zurich") == .site("zurich"))
        #expect(BookingSubjects.aggregate(of: "flows.f1") == nil)
    }

    @Test("ids with subject characters, spaces or more than 64 characters are refused",
          arguments: ["a.b", "a*", ">", "desk 1", "", String(repeating: "d", count: 65), "tab\t"])
    func invalidIdsRefused(id: String) {
        #expect(throws: (any Error).self) { try BookingSubjects.resource(id) }
        #expect(throws: (any Error).self) { try BookingSubjects.person(id) }
        #expect(throws: (any Error).self) { try BookingSubjects.site(id) }
    }

    @Test("a decision becomes one append per aggregate with its own expectation")
    func decisionAppends() throws {
        let decision = [SubjectEvents(.resource("desk-1"), [.bookingPlaced(BookingEventExamples.placed)]),
                        SubjectEvents(.person("ada"), [.personBookingAdded(BookingEventExamples.personBookingAdded)]),
                        SubjectEvents(.person("nobody"), [])]
        let appends = try BookingSubjects.appends(for: decision) { aggregate in aggregate == .resource("desk-1") ? .sequence(7) : .noStream }
        #expect(appends.map(\.subject) == ["bookings.resource.desk-1", "bookings.person.ada"])
        #expect(appends.map(\.expecting) == [.sequence(7), .noStream])
    }
}
