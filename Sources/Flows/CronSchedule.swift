import Foundation

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`) read in an IANA
/// time zone: `*`, lists (`1,15`), ranges (`MON-FRI`), steps (`*/15`, `8-18/2`), month and day
/// names, `7` or `0` for Sunday, and the shorthands `@hourly`, `@daily`, `@weekly`, `@monthly`,
/// `@yearly`. As in Vixie cron, when both day fields are restricted a day matching either fires.
///
/// Daylight saving: every local wall-clock time fires at most once. A local time the clocks skip
/// (02:30 on the spring-forward night) fires at the instant the clocks jump past it; a local time
/// that happens twice (autumn) fires at its first occurrence only.
public struct CronSchedule: Equatable, Sendable {
    public var minutes: Set<Int>
    public var hours: Set<Int>
    public var daysOfMonth: Set<Int>
    public var months: Set<Int>
    /// 0 = Sunday ... 6 = Saturday.
    public var daysOfWeek: Set<Int>
    var dayOfMonthRestricted: Bool
    var dayOfWeekRestricted: Bool

    static let shorthands = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                             "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(parsing text: String) throws(CronSyntaxError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronSyntaxError(text: text, message: "has \(fields.count) field\(fields.count == 1 ? "" : "s"); a schedule has 5: minute hour day-of-month month day-of-week (e.g. 0 8 * * MON)")
        }
        minutes = try Self.parseField(fields[0], name: "minute", range: 0...59, names: [], text: text)
        hours = try Self.parseField(fields[1], name: "hour", range: 0...23, names: [], text: text)
        daysOfMonth = try Self.parseField(fields[2], name: "day of month", range: 1...31, names: [], text: text)
        months = try Self.parseField(fields[3], name: "month", range: 1...12, names: Self.monthNames, text: text)
        // 7 is Sunday too; fold it onto 0.
        let weekdays = try Self.parseField(fields[4], name: "day of week", range: 0...7, names: Self.dayNames, text: text)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    static func parseField(_ field: String, name: String, range: ClosedRange<Int>, names: [String], text: String) throws(CronSyntaxError) -> Set<Int> {
        var values = Set<Int>()
        func number(_ token: Substring) throws(CronSyntaxError) -> Int {
            if let value = Int(token) {
                guard range.contains(value) else {
                    throw CronSyntaxError(text: text, message: "\(name) \(value) is outside \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            if let index = names.firstIndex(of: token.uppercased()) {
                // Month names count from 1, day names from 0 (SUN).
                return range.lowerBound == 1 ? index + 1 : index
            }
            let hint = names.isEmpty ? "a number \(range.lowerBound)-\(range.upperBound)" : "a number \(range.lowerBound)-\(range.upperBound) or a name like \(names[1])"
            throw CronSyntaxError(text: text, message: "\(name) '\(token)' is not \(hint)")
        }
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw CronSyntaxError(text: text, message: "\(name) has an empty list item") }
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw CronSyntaxError(text: text, message: "\(name) '\(part)' has more than one '/'") }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else {
                    throw CronSyntaxError(text: text, message: "\(name) step '\(stepParts[1])' must be a whole number above 0")
                }
                step = value
            }
            let base = stepParts[0]
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try number(base[..<dash])
                let high = try number(base[base.index(after: dash)...])
                guard low <= high else { throw CronSyntaxError(text: text, message: "\(name) range '\(base)' runs backwards") }
                bounds = low...high
            } else {
                let single = try number(base)
                // `5/15` means from 5 to the end in steps of 15.
                bounds = stepParts.count == 2 ? single...range.upperBound : single...single
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// The first firing strictly after `instant`, in `timeZone`; `nil` if none in the next eight
    /// years (a schedule such as 30 February never fires).
    public func nextFire(after instant: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day], from: instant)
        guard var year = start.year, var month = start.month, var day = start.day else { return nil }
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        for _ in 0..<(8 * 366) {
            if months.contains(month), matchesDay(year: year, month: month, day: day) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        guard let candidate = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)),
                              candidate > instant else { continue }
                        return candidate
                    }
                }
            }
            day += 1
            if day > Self.daysIn(month: month, year: year) {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }
        return nil
    }

    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let domMatches = daysOfMonth.contains(day)
        let dowMatches = daysOfWeek.contains(Self.weekday(year: year, month: month, day: day))
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return domMatches || dowMatches
        case (true, false): return domMatches
        case (false, true): return dowMatches
        case (false, false): return true
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Sunday (Sakamoto's method; proleptic Gregorian).
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = month < 3 ? year - 1 : year
        return (y + y / 4 - y / 100 + y / 400 + offsets[month - 1] + day) % 7
    }
}

/// A schedule that could not be read.
public struct CronSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var message: String
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }
    public var description: String { "'\(text)' is not a cron schedule: \(message)" }
}
