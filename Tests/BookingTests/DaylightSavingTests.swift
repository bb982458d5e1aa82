import Booking
import Foundation
import Testing

/// The days clocks change in the demo zones (2026):
/// Zürich  springs forward Sun 29 March 02:00 → 03:00 (UTC+1 → +2), falls back Sun 25 October 03:00 → 02:00.
/// New York springs forward Sun 8 March 02:00 → 03:00 (UTC−5 → −4), falls back Sun 1 November 02:00 → 01:00.
@Suite("Daylight-saving days")
struct DaylightSavingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let zone: String
        let day: String
        /// 08:00 and 18:00 local that day, in UTC.
        let opens: String
        let closes: String
        /// 08:00 local the day before, in UTC (the other offset).
        let opensDayBefore: String
        var testDescription: String { "\(zone) \(day)" }
    }

    static let cases = [
        Case(zone: "Europe/Zurich", day: "2026-03-29", opens: "2026-03-29T06:00:00Z", closes: "2026-03-29T16:00:00Z", opensDayBefore: "2026-03-28T07:00:00Z"),
        Case(zone: "Europe/Zurich", day: "2026-10-25", opens: "2026-10-25T07:00:00Z", closes: "2026-10-25T17:00:00Z", opensDayBefore: "2026-10-24T06:00:00Z"),
        Case(zone: "America/New_York", day: "2026-03-08", opens: "2026-03-08T12:00:00Z", closes: "2026-03-08T22:00:00Z", opensDayBefore: "2026-03-07T13:00:00Z"),
        Case(zone: "America/New_York", day: "2026-11-01", opens: "2026-11-01T13:00:00Z", closes: "2026-11-01T23:00:00Z", opensDayBefore: "2026-10-31T12:00:00Z"),
    ]

    func history(zone: String, hours: [OpeningInterval] = Fixture.everyDay()) -> [SubjectEvents] {
        Fixture.history(of: Fixture.siteCommands(timeZone: zone, hours: hours))
    }

    func now(before day: String) -> Date { utc(day + "T00:00:00Z").addingTimeInterval(-5 * 86_400) }

    @Test("given opening hours 08:00–18:00 local, when booking the whole day on a DST day, then it fits exactly", arguments: cases)
    func givenOpeningHoursWhenWholeDstDayThenFits(_ day: Case) {
        let scenario = Scenario(given: history(zone: day.zone), at: now(before: day.day))
        #expect(scenario.when(Fixture.place("b", "desk-1", day.opens, day.closes)).events != nil)
        // One hour earlier at either end is outside: the offset of the day, not of the day before, applies.
        let hour: TimeInterval = 3600
        let early = BookingCommand.place(PlaceBooking(idempotencyKey: "k", bookingId: "b", siteId: "zh", resourceId: "desk-1",
                                                      start: utc(day.opens).addingTimeInterval(-hour), end: utc(day.opens).addingTimeInterval(hour),
                                                      bookerTimeZone: day.zone))
        #expect(scenario.when(early).rejection == .outsideOpeningHours)
        let late = BookingCommand.place(PlaceBooking(idempotencyKey: "k", bookingId: "b", siteId: "zh", resourceId: "desk-1",
                                                     start: utc(day.closes).addingTimeInterval(-hour), end: utc(day.closes).addingTimeInterval(hour),
                                                     bookerTimeZone: day.zone))
        #expect(scenario.when(late).rejection == .outsideOpeningHours)
        let dayBefore = BookingCommand.place(PlaceBooking(idempotencyKey: "k", bookingId: "b", siteId: "zh", resourceId: "desk-1",
                                                          start: utc(day.opensDayBefore), end: utc(day.opensDayBefore).addingTimeInterval(hour),
                                                          bookerTimeZone: day.zone))
        #expect(scenario.when(dayBefore).events != nil)
    }

    @Test("given opening hours 08:00–18:00 local, then availability on a DST day offers 10 hourly slots from 08:00 local", arguments: cases)
    func givenOpeningHoursWhenAvailabilityOnDstDayThenTenSlots(_ day: Case) {
        let site = Scenario(given: history(zone: day.zone), at: now(before: day.day)).context.sites["zh"]!
        let slots = Availability.freeSlots(resourceId: "desk-1", site: site, occupancy: ResourceState(), from: LocalDate(day.day)!,
                                           slotMinutes: 60, now: now(before: day.day)).filter { $0.start.timeIntervalSince(utc(day.opens)).truncatingRemainder(dividingBy: 3600) == 0 }
        #expect(slots.count == 10)
        #expect(slots.first?.start == utc(day.opens))
        #expect(slots.last?.end == utc(day.closes))
    }

    /// `hour` is the wall-clock hour the change touches: skipped (02:00 in both zones) or repeated
    /// (02:00 in Zürich, 01:00 in New York); `seen` is how often a slot starts at it.
    @Test("given a site open around the clock, then the spring-forward day has 23 hourly slots without the skipped hour, the fall-back day 25 with the repeated hour twice",
          arguments: [("Europe/Zurich", "2026-03-29", 23, 2, 0), ("Europe/Zurich", "2026-10-25", 25, 2, 2),
                      ("America/New_York", "2026-03-08", 23, 2, 0), ("America/New_York", "2026-11-01", 25, 1, 2)])
    func givenAroundTheClockWhenDstDayThenHoursCounted(zone: String, day: String, hours: Int, hour: Int, seen: Int) {
        var commands = Fixture.siteCommands(timeZone: zone, hours: Fixture.everyDay("00:00", "24:00"))
        commands.append(.setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-1",
                                                             policyOverride: PolicyOverride(slotGranularityMinutes: 60, minimumDurationMinutes: 60))))
        let site = Scenario(given: Fixture.history(of: commands), at: now(before: day)).context.sites["zh"]!
        let slots = Availability.freeSlots(resourceId: "desk-1", site: site, occupancy: ResourceState(), from: LocalDate(day)!, now: now(before: day))
        let clock = SiteClock(timeZoneIdentifier: zone)!
        #expect(slots.count == hours)
        #expect(slots.filter { clock.minuteOfDay(of: $0.start) == hour * 60 }.count == seen)
        #expect(slots.allSatisfy { clock.localDate(of: $0.start) == LocalDate(day)! })
        #expect(slots.allSatisfy { $0.end.timeIntervalSince($0.start) == 3600 })
    }

    @Test("a 02:30 wall-clock time does not exist on the spring-forward day, and means the earlier instant on the fall-back day")
    func wallClockGapsAndRepeats() {
        let zurich = SiteClock(timeZoneIdentifier: "Europe/Zurich")!
        #expect(zurich.instant(on: LocalDate("2026-03-29")!, at: TimeOfDay("02:30")!) == nil)
        #expect(zurich.instant(on: LocalDate("2026-03-29")!, at: TimeOfDay("03:30")!) == utc("2026-03-29T01:30:00Z"))
        #expect(zurich.instant(on: LocalDate("2026-10-25")!, at: TimeOfDay("02:30")!) == utc("2026-10-25T00:30:00Z"))
        #expect(zurich.boundary(on: LocalDate("2026-03-29")!, at: TimeOfDay("02:30")!) == utc("2026-03-29T01:00:00Z"))
        let newYork = SiteClock(timeZoneIdentifier: "America/New_York")!
        #expect(newYork.instant(on: LocalDate("2026-03-08")!, at: TimeOfDay("02:30")!) == nil)
        #expect(newYork.instant(on: LocalDate("2026-11-01")!, at: TimeOfDay("01:30")!) == utc("2026-11-01T05:30:00Z"))
        #expect(newYork.localDate(of: utc("2026-11-01T04:30:00Z")) == LocalDate("2026-11-01")!)
        #expect(newYork.localDate(of: utc("2026-11-01T03:30:00Z")) == LocalDate("2026-10-31")!)
    }

    @Test("given a site open around the clock, when the limit is one desk a day, then the 23-hour day ends at local midnight")
    func givenDailyLimitWhenShortDayThenLocalMidnightCounts() throws {
        let history = history(zone: "Europe/Zurich", hours: Fixture.everyDay("00:00", "24:00"))
        let now = utc("2026-03-25T00:00:00Z")
        let first = try Scenario(given: history, at: now).accepted(Fixture.place("b1", "desk-1", "2026-03-29T06:00:00Z", "2026-03-29T08:00:00Z"))
        let scenario = Scenario(given: history + first, at: now)
        // 23:00–24:00 local on the 29th (UTC+2 after the change) is still that day ...
        #expect(scenario.when(Fixture.place("b2", "desk-2", "2026-03-29T21:00:00Z", "2026-03-29T22:00:00Z")).rejection
                == .dailyLimitReached(kind: .desk, limit: 1))
        // ... and 00:00 local on the 30th is the next.
        #expect(scenario.when(Fixture.place("b2", "desk-2", "2026-03-29T22:00:00Z", "2026-03-29T23:00:00Z")).events != nil)
    }

    @Test("given a fall-back day, when booking across the repeated hour, then the grid is read on the wall clock")
    func givenFallBackWhenAcrossRepeatedHourThenWallClockGrid() {
        var commands = Fixture.siteCommands(timeZone: "Europe/Zurich", hours: Fixture.everyDay("00:00", "24:00"))
        commands.append(.setResourcePolicy(SetResourcePolicy(idempotencyKey: "p", siteId: "zh", resourceId: "desk-1",
                                                             policyOverride: PolicyOverride(slotGranularityMinutes: 60, minimumDurationMinutes: 60))))
        let scenario = Scenario(given: Fixture.history(of: commands), at: utc("2026-10-20T00:00:00Z"))
        // 02:00 CEST → 02:00 CET: one hour on the grid at both ends.
        #expect(scenario.when(Fixture.place("b", "desk-1", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z")).events != nil)
        // 02:30 CEST → 02:30 CET: both ends at :30, off an hourly grid.
        #expect(scenario.when(Fixture.place("b", "desk-1", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")).rejection == .offSlotGrid(granularityMinutes: 60))
    }
}
