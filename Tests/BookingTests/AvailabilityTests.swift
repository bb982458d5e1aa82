import Booking
import Foundation
import Testing

/// Tuesday 10 March 2026, Zürich (UTC+1); the fixture site is open 08:00–18:00.
@Suite("Availability")
struct AvailabilityTests {
    let now = utc("2026-03-09T12:00:00Z")
    let tuesday = LocalDate("2026-03-10")!

    func hourly() -> [SubjectEvents] {
        Fixture.history(of: Fixture.siteCommands() + [
            .setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-2",
                                                 policyOverride: PolicyOverride(slotGranularityMinutes: 60, minimumDurationMinutes: 60))),
        ])
    }

    @Test("given a free desk on an hourly grid, then ten hourly slots from 08:00 to 18:00 local")
    func givenFreeDeskThenTenSlots() {
        let context = Scenario(given: hourly(), at: now).context
        let slots = Availability.freeSlots(resourceId: "desk-2", site: context.sites["zh"]!, occupancy: ResourceState(), from: tuesday, now: now)
        #expect(slots.map(\.start) == (0..<10).map { utc("2026-03-10T07:00:00Z").addingTimeInterval(TimeInterval($0 * 3600)) })
    }

    @Test("given Bob's booking 10:00–12:00 and now 11:30, then only slots from 12:00 are offered; a week gives more days")
    func givenBookingAndNowThenTakenAndPastLeftOut() throws {
        var history = hourly()
        history += try Scenario(given: history, at: now).accepted(Fixture.place("b", "desk-2", "2026-03-10T09:00:00Z", "2026-03-10T11:00:00Z"), by: Fixture.bob)
        let context = Scenario(given: history, at: now).context
        let site = context.sites["zh"]!, occupancy = context.resources["desk-2"]!
        let allDay = Availability.freeSlots(resourceId: "desk-2", site: site, occupancy: occupancy, from: tuesday, now: now)
        #expect(allDay.count == 8)
        #expect(!allDay.contains { $0.start == utc("2026-03-10T09:00:00Z") || $0.start == utc("2026-03-10T10:00:00Z") })
        let lateMorning = Availability.freeSlots(resourceId: "desk-2", site: site, occupancy: occupancy, from: tuesday, now: utc("2026-03-10T10:30:00Z"))
        #expect(lateMorning.first?.start == utc("2026-03-10T11:00:00Z"))
        #expect(lateMorning.count == 6)
        let week = Availability.freeSlots(resourceId: "desk-2", site: site, occupancy: occupancy, from: tuesday, days: 7, now: now)
        #expect(week.count == 8 + 6 * 10)
    }

    @Test("given a meeting with 10 minutes cleaning after, then the next hour-long slot starts 10:15")
    func givenBufferThenNextSlotAfterCleaning() throws {
        var history = Fixture.catalog
        history += try Scenario(given: history, at: now).accepted(Fixture.place("m", "room-1", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"))
        let context = Scenario(given: history, at: now).context
        let slots = Availability.freeSlots(resourceId: "room-1", site: context.sites["zh"]!, occupancy: context.resources["room-1"]!,
                                           from: tuesday, slotMinutes: 60, now: now)
        #expect(slots.first?.start == utc("2026-03-10T09:15:00Z"))
        #expect(slots.last?.start == utc("2026-03-10T16:00:00Z"))
    }

    @Test("given a closure or a day beyond the maximum advance, then nothing is offered")
    func givenClosureOrTooFarThenNothing() {
        let closed = Fixture.history(of: Fixture.siteCommands() + [
            .addClosure(AddClosure(idempotencyKey: "c", siteId: "zh", closure: Closure(closureId: "c", from: tuesday, through: tuesday, reason: "Holiday"))),
        ])
        let site = Scenario(given: closed, at: now).context.sites["zh"]!
        #expect(Availability.freeSlots(resourceId: "desk-1", site: site, occupancy: ResourceState(), from: tuesday, now: now).isEmpty)
        #expect(Availability.freeSlots(resourceId: "desk-1", site: site, occupancy: ResourceState(), from: LocalDate("2026-05-01")!, now: now).isEmpty)
    }

    @Test("given an appointment service of 30 minutes plus 10 after, then its grid is 08:00, 08:40, ... 17:20")
    func givenAppointmentServiceThenOwnGrid() {
        let site = Scenario(at: now).context.sites["zh"]!
        let slots = Availability.freeSlots(resourceId: "help", site: site, occupancy: ResourceState(), from: tuesday, now: now)
        #expect(slots.count == 15)
        #expect(slots.first == Availability.Slot(start: utc("2026-03-10T07:00:00Z"), end: utc("2026-03-10T07:30:00Z")))
        #expect(slots.last?.start == utc("2026-03-10T16:20:00Z"))
    }

    @Test("given desks on a floor, then availability by kind lists each desk")
    func givenKindThenEachResource() {
        let site = Scenario(at: now).context.sites["zh"]!
        let byDesk = Availability.freeSlots(kind: .desk, floorId: "f1", site: site, occupancy: [:], from: tuesday, now: now)
        #expect(Set(byDesk.keys) == ["desk-1", "desk-2"])
        #expect(byDesk.values.allSatisfy { !$0.isEmpty })
    }

    @Test("every offered slot is accepted by decide, for every kind of resource")
    func offeredSlotsCanBeBooked() throws {
        var history = Fixture.catalog
        history += try Scenario(given: history, at: now).accepted(Fixture.place("m", "room-1", "2026-03-10T10:00:00Z", "2026-03-10T11:30:00Z"), by: Fixture.bob)
        let scenario = Scenario(given: history, at: now)
        let site = scenario.context.sites["zh"]!
        for resourceId in ["desk-1", "room-1", "help"] {
            let slots = Availability.freeSlots(resourceId: resourceId, site: site, occupancy: scenario.context.resource(resourceId), from: tuesday, now: now)
            #expect(!slots.isEmpty)
            for slot in slots {
                let command = BookingCommand.place(PlaceBooking(idempotencyKey: "k", bookingId: "new", siteId: "zh", resourceId: resourceId,
                                                                start: slot.start, end: slot.end, bookerTimeZone: "Europe/Zurich"))
                #expect(scenario.when(command).events != nil, "\(resourceId) \(slot)")
            }
        }
    }
}

extension DecisionContext {
    func resource(_ id: ResourceID) -> ResourceState { resources[id] ?? ResourceState() }
}
