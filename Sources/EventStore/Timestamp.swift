import Foundation

/// RFC 3339 timestamps in UTC with milliseconds, the one format used in headers and bodies.
///
/// Formatting and the common parse (`YYYY-MM-DDTHH:MM:SS[.fff...]Z`) work on bytes with
/// calendar arithmetic: they run for every event written and read, and Foundation's general
/// ISO 8601 machinery cost more than the rest of decoding. Other valid forms (offsets) and
/// years beyond four digits fall back to slower paths. EventJSON writes and reads dates
/// through the same two byte functions.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let fast = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { bytes -> String? in
            guard writeUTC(date, into: bytes) else { return nil }
            return String(decoding: UnsafeBufferPointer(bytes), as: UTF8.self)
        }
        if let fast { return fast }
        // Years before 0 or after 9999: not RFC 3339, but written readably all the same.
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    public static func parse(_ text: String) -> Date? {
        var text = text
        if let date = text.withUTF8({ parseUTC($0) }) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS.fffZ` (24 bytes) for `date` rounded to the nearest
    /// millisecond; false (nothing written) when the year has no four-digit form.
    static func writeUTC(_ date: Date, into text: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        // Nearest millisecond: x.698 is stored as x.69799999..., and flooring would print .697.
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = totalMilliseconds >= 0 ? totalMilliseconds / 86_400_000 : (totalMilliseconds - 86_399_999) / 86_400_000
        let millisecondOfDay = totalMilliseconds - days * 86_400_000
        let (year, month, day) = civil(fromDays: &days)
        guard year >= 0 && year <= 9999, text.count >= 24 else { return false }
        let secondOfDay = millisecondOfDay / 1000
        func put(_ value: Int64, at offset: Int, width: Int) {
            var value = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                text[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, at: 0, width: 4)
        text[4] = UInt8(ascii: "-")
        put(month, at: 5, width: 2)
        text[7] = UInt8(ascii: "-")
        put(day, at: 8, width: 2)
        text[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, at: 11, width: 2)
        text[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 14, width: 2)
        text[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 17, width: 2)
        text[19] = UInt8(ascii: ".")
        put(millisecondOfDay % 1000, at: 20, width: 3)
        text[23] = UInt8(ascii: "Z")
        return true
    }

    /// The date of `YYYY-MM-DDTHH:MM:SS[.f...]Z`; nil for any other text.
    static func parseUTC(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
              b[b.count - 1] == 0x5A || b[b.count - 1] == 0x7A else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in from..<(from + count) {
                let byte = b[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            guard b[19] == 0x2E, b.count > 21 else { return nil }
            var scale = 0.1
            for index in 20..<(b.count - 1) {
                let byte = b[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                fraction += Double(byte - 48) * scale
                scale /= 10
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: inout Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
