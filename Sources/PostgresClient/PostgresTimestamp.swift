import Foundation

/// Text-format timestamps, without Calendar or DateFormatter (both slow and locale-bound).
/// Sessions are opened with `DateStyle=ISO` and `TimeZone=UTC` (see PostgresConfiguration),
/// so the server prints `2024-05-01 12:34:56.123456+00`; other offsets are read correctly too.
enum PostgresTimestamp {
    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `days(year:month:day:)`.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`, microsecond precision (PostgreSQL's own).
    static func encode(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        write(date, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `encode(date)`'s bytes, appended to `buffer` (COPY writers use this directly).
    static func write(_ date: Date, into buffer: inout [UInt8]) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (secs, frac) = floorDivide(micros, 1_000_000)
        let (dayCount, secOfDay) = floorDivide(secs, 86_400)
        let (y, m, d) = civil(days: Int(dayCount))
        /// `value` in decimal, zero-padded to `width` digits.
        func digits(_ value: Int, _ width: Int) {
            guard value >= 0 else { buffer.append(contentsOf: pad(value, width).utf8); return }
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while value / divisor >= 10 { divisor *= 10 }  // wider than `width`
            var rest = value
            while divisor > 0 {
                buffer.append(UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(y, 4); buffer.append(0x2D); digits(m, 2); buffer.append(0x2D); digits(d, 2); buffer.append(0x20)
        digits(Int(secOfDay / 3600), 2); buffer.append(0x3A); digits(Int(secOfDay % 3600 / 60), 2); buffer.append(0x3A)
        digits(Int(secOfDay % 60), 2); buffer.append(0x2E); digits(Int(frac), 6)
        buffer.append(contentsOf: "+00".utf8)
    }

    /// Parses timestamptz, timestamp (taken as UTC) and date text output.
    static func decode(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(), scanner.take("-"), let month = scanner.number(), scanner.take("-"),
              let day = scanner.number(), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Int64(days(year: year, month: month, day: day)) * 86_400
        var micros: Int64 = 0
        if scanner.take(" ") || scanner.take("T") {
            guard let hh = scanner.number(), scanner.take(":"), let mi = scanner.number(), scanner.take(":"),
                  let ss = scanner.number()
            else { return nil }
            seconds += Int64(hh * 3600 + mi * 60 + ss)
            if scanner.take(".") {
                let (value, digits) = scanner.fraction()
                guard digits > 0 else { return nil }
                var v = Int64(value), d = digits
                while d < 6 { v *= 10; d += 1 }
                while d > 6 { v /= 10; d -= 1 }
                micros = v
            }
            if let sign = scanner.sign() {
                guard let oh = scanner.number() else { return nil }
                var offset = oh * 3600
                if scanner.take(":"), let om = scanner.number() { offset += om * 60 }
                if scanner.take(":"), let os = scanner.number() { offset += os }
                seconds -= Int64(sign * offset)
            } else if scanner.take("Z") {
                // UTC
            }
        }
        guard scanner.atEnd else { return nil }  // e.g. " BC": not supported
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// A tiny cursor over ASCII bytes.
struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Character) -> Bool {
        guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    mutating func number() -> Int? {
        let (value, digits) = fraction()
        return digits > 0 ? value : nil
    }

    /// Digits as an integer and how many there were (at most 18 are read as significant).
    mutating func fraction() -> (Int, Int) {
        var value = 0, digits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            if digits < 18 { value = value * 10 + Int(bytes[index] - 48) }
            digits += 1
            index += 1
        }
        return (value, min(digits, 18))
    }

    mutating func sign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}
