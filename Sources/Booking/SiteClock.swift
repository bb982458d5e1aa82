import Foundation

/// Converts between UTC instants and a site's wall clock (IANA zone), daylight saving included.
/// Everything stored is UTC; this is how opening hours, day limits and the slot grid are read.
public struct SiteClock: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// `nil` when `identifier` is not an IANA time zone this system knows.
    public init?(timeZoneIdentifier identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        timeZone = zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    /// The site-local date `instant` falls on.
    public func localDate(of instant: Date) -> LocalDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// Wall-clock minutes since local midnight at `instant` (on a fall-back day, 02:30 happens twice).
    public func minuteOfDay(of instant: Date) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        return parts.hour! * 60 + parts.minute!
    }

    /// The instant of `time` on `date`, or `nil` when that wall-clock time does not exist there
    /// (skipped by a spring-forward transition). An ambiguous fall-back time gives the earlier instant.
    public func instant(on date: LocalDate, at time: TimeOfDay) -> Date? {
        if time.minutes == 1440 { return startOfDay(date.adding(days: 1)) }
        let components = DateComponents(year: date.year, month: date.month, day: date.day,
                                         hour: time.minutes / 60, minute: time.minutes % 60)
        guard let instant = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        guard back.year == date.year, back.month == date.month, back.day == date.day,
              back.hour! * 60 + back.minute! == time.minutes else { return nil }
        return earliest(instant, wallClock: time, on: date)
    }

    /// Like `instant(on:at:)`, but a skipped time becomes the moment the clocks jumped, so an
    /// opening boundary inside a gap still means something.
    public func boundary(on date: LocalDate, at time: TimeOfDay) -> Date {
        if let instant = instant(on: date, at: time) { return instant }
        let before = startOfDay(date)
        return timeZone.nextDaylightSavingTimeTransition(after: before) ?? before
    }

    /// Local midnight starting `date` (midnight exists in the demo zones; where it is skipped,
    /// the first instant of the day).
    public func startOfDay(_ date: LocalDate) -> Date {
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        return calendar.startOfDay(for: noon)
    }

    /// Foundation resolves an ambiguous wall-clock time to one of its two instants; the earlier
    /// one is the conventional reading ("02:30 the first time").
    private func earliest(_ instant: Date, wallClock time: TimeOfDay, on date: LocalDate) -> Date {
        let hourEarlier = instant.addingTimeInterval(-3600)
        if localDate(of: hourEarlier) == date, minuteOfDay(of: hourEarlier) == time.minutes { return hourEarlier }
        return instant
    }
}
