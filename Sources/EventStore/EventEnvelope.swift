import Foundation
import NATSClient

/// What travels with every event besides its body, as message headers (architecture: Events).
public struct EventEnvelope: Sendable, Equatable {
    /// `Nats-Msg-Id`: the event id, derived from the command's idempotency key when there is one.
    public var eventId: String
    /// `Almanac-Event-Type`: the stable wire name, e.g. `booking.placed`.
    public var type: String
    /// `Almanac-Event-Version`: the schema version the body was written with.
    public var version: Int
    public var correlationId: String?
    public var causationId: String?
    /// Who caused it: a person's subject id, or a service name.
    public var actor: String?
    /// When it happened, in UTC.
    public var occurredAt: Date

    public init(eventId: String, type: String, version: Int, correlationId: String? = nil, causationId: String? = nil,
                actor: String? = nil, occurredAt: Date) {
        self.eventId = eventId
        self.type = type
        self.version = version
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.occurredAt = occurredAt
    }

    public enum Header {
        public static let eventId = "Nats-Msg-Id"
        public static let type = "Almanac-Event-Type"
        public static let version = "Almanac-Event-Version"
        public static let correlationId = "Almanac-Correlation-Id"
        public static let causationId = "Almanac-Causation-Id"
        public static let actor = "Almanac-Actor"
        public static let occurredAt = "Almanac-Occurred-At"
    }

    var headers: NATSHeaders {
        var headers = NATSHeaders()
        headers[Header.eventId] = eventId
        headers[Header.type] = type
        headers[Header.version] = String(version)
        if let correlationId { headers[Header.correlationId] = correlationId }
        if let causationId { headers[Header.causationId] = causationId }
        if let actor { headers[Header.actor] = actor }
        headers[Header.occurredAt] = Timestamp.format(occurredAt)
        return headers
    }

    init(headers: NATSHeaders) throws(EventStoreError) {
        guard let type = headers[Header.type] else { throw .malformed("missing \(Header.type) header") }
        guard let version = headers[Header.version].flatMap(Int.init) else { throw .malformed("missing or bad \(Header.version) header") }
        guard let occurred = headers[Header.occurredAt].flatMap(Timestamp.parse) else { throw .malformed("missing or bad \(Header.occurredAt) header") }
        self.init(eventId: headers[Header.eventId] ?? "", type: type, version: version,
                  correlationId: headers[Header.correlationId], causationId: headers[Header.causationId],
                  actor: headers[Header.actor], occurredAt: occurred)
    }
}

/// What a caller says about the events it appends; the store fills in ids and types.
public struct EventMetadata: Sendable, Equatable {
    public var correlationId: String?
    public var causationId: String?
    public var actor: String?
    public var occurredAt: Date?

    public init(correlationId: String? = nil, causationId: String? = nil, actor: String? = nil, occurredAt: Date? = nil) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.occurredAt = occurredAt
    }
}

/// RFC 3339 timestamps in UTC with milliseconds, the one format used in headers and bodies.
///
/// Formatting and the common parse (`YYYY-MM-DDTHH:MM:SS[.fff...]Z`) are done by hand: they
/// run for every event written and read, and Foundation's general ISO 8601 machinery cost more
/// than the rest of decoding. Other valid forms (offsets) fall back to Foundation.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        // Nearest millisecond: x.698 is stored as x.69799999..., and flooring would print .697.
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = totalMilliseconds >= 0 ? totalMilliseconds / 86_400_000 : (totalMilliseconds - 86_399_999) / 86_400_000
        let millisecondOfDay = totalMilliseconds - days * 86_400_000
        let (year, month, day) = civil(fromDays: &days)
        let secondOfDay = millisecondOfDay / 1000
        var text = ""
        text.reserveCapacity(24)
        append(year, width: 4, to: &text); text += "-"
        append(month, width: 2, to: &text); text += "-"
        append(day, width: 2, to: &text); text += "T"
        append(secondOfDay / 3600, width: 2, to: &text); text += ":"
        append(secondOfDay / 60 % 60, width: 2, to: &text); text += ":"
        append(secondOfDay % 60, width: 2, to: &text); text += "."
        append(millisecondOfDay % 1000, width: 3, to: &text); text += "Z"
        return text
    }

    public static func parse(_ text: String) -> Date? {
        if let date = parseUTC(Array(text.utf8)) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    private static func parseUTC(_ b: [UInt8]) -> Date? {
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
              b.last == 0x5A || b.last == 0x7A else { return nil }
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
        } else if b.count != 20 {
            return nil
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

    private static func append(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}
