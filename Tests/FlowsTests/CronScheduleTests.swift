import Flows
import Foundation
import Testing

@Suite("Cron schedules")
struct CronScheduleTests {
    let zurich = TimeZone(identifier: "Europe/Zurich")!

    func next(_ cron: String, after: String, in zone: TimeZone? = nil) throws -> Date? {
        try CronSchedule(parsing: cron).nextFire(after: utc(after), in: zone ?? zurich)
    }

    @Test("fields: lists, ranges, steps, names, Sunday as 0 or 7")
    func fields() throws {
        let schedule = try CronSchedule(parsing: "*/15 8-18/2 1,15 JAN-mar sun,7")
        #expect(schedule.minutes == [0, 15, 30, 45])
        #expect(schedule.hours == [8, 10, 12, 14, 16, 18])
        #expect(schedule.daysOfMonth == [1, 15])
        #expect(schedule.months == [1, 2, 3])
        #expect(schedule.daysOfWeek == [0])
        #expect(try CronSchedule(parsing: "5/20 * * * *").minutes == [5, 25, 45])
        #expect(try CronSchedule(parsing: "@weekly") == CronSchedule(parsing: "0 0 * * 0"))
    }

    @Test("next fire in the schedule's zone: Monday 07:00 Zürich is 06:00Z in winter, 05:00Z in summer")
    func nextFire() throws {
        #expect(try next("0 7 * * MON", after: "2026-03-10T12:00:00Z") == utc("2026-03-16T06:00:00Z"))
        #expect(try next("0 7 * * MON", after: "2026-03-30T04:00:00Z") == utc("2026-03-30T05:00:00Z"))
        #expect(try next("0 7 * * MON", after: "2026-03-30T05:00:00Z") == utc("2026-04-06T05:00:00Z"))
        // Both day fields restricted: either matches (Vixie cron).
        #expect(try next("0 0 13 * FRI", after: "2026-03-01T00:00:00Z", in: TimeZone(identifier: "UTC")) == utc("2026-03-06T00:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z", in: TimeZone(identifier: "UTC")) == utc("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 30 2 *", after: "2026-03-01T00:00:00Z") == nil)
    }

    @Test("across DST: a skipped local time fires once when the clocks jump; a repeated one fires once, at its first occurrence")
    func daylightSaving() throws {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST in Zürich; 02:30 does not exist.
        let spring = try next("30 2 * * *", after: "2026-03-28T12:00:00Z")
        #expect(spring == utc("2026-03-29T01:30:00Z")) // 03:30 CEST, the moment after the jump
        #expect(try next("30 2 * * *", after: "2026-03-29T01:30:00Z") == utc("2026-03-30T00:30:00Z"))
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
        let autumn = try next("30 2 * * *", after: "2026-10-24T12:00:00Z")
        #expect(autumn == utc("2026-10-25T00:30:00Z")) // 02:30 CEST, the first
        #expect(try next("30 2 * * *", after: "2026-10-25T00:30:00Z") == utc("2026-10-26T01:30:00Z"))
        // Hourly on the short day: 23 firings, none twice.
        var fires: [Date] = []
        var cursor = utc("2026-03-28T23:00:00Z") // 00:00 CET on the 29th
        let schedule = try CronSchedule(parsing: "0 * * * *")
        while let fire = schedule.nextFire(after: cursor, in: zurich), fire < utc("2026-03-29T22:00:00Z") {
            fires.append(fire)
            cursor = fire
        }
        #expect(fires.count == 22)
        #expect(Set(fires).count == fires.count)
    }

    @Test("bad schedules say which field is wrong", arguments: [
        ("0 7 * *", "has 4 fields"), ("60 * * * *", "minute 60 is outside 0-59"), ("0 7 * * FUNDAY", "day of week 'FUNDAY'"),
        ("0 7-5 * * *", "runs backwards"), ("*/0 * * * *", "step '0'"), ("0 7 * 13 *", "month 13"),
    ])
    func badSchedules(_ text: String, _ fragment: String) {
        #expect {
            try CronSchedule(parsing: text)
        } throws: { error in
            (error as? CronSyntaxError)?.message.contains(fragment) == true
        }
    }
}
