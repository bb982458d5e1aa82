import Foundation

/// A condition or value in the flows' small expression language: literals, field paths,
/// comparison, `and`/`or`/`not`, `in`, and date arithmetic. Nothing in it can call code, loop or
/// reach anything but the data it is evaluated over.
///
///     booking.kind == 'desk' and booking.attendees >= 2
///     booking.start - 24h > now
///     event.type in ['booking.placed', 'booking.moved_in']
///     not (booking.siteId in ['zurich', 'basel'])
///
/// Literals: numbers (`3`, `2.5`), strings (`'desk'` or `"desk"`), `true`, `false`, `null`,
/// durations (`15m`, `24h`, `1h30m`, `2d`), lists (`[1, 2]`), and `now` (the evaluation time).
/// A string holding an RFC 3339 time counts as a time when compared with or added to one.
public indirect enum FlowExpression: Equatable, Sendable {
    case literal(ExpressionValue)
    /// A field path (`booking.start`) and the column it starts at.
    case path([String], column: Int)
    case now
    case list([FlowExpression])
    case not(FlowExpression)
    case negate(FlowExpression)
    case binary(BinaryOperator, FlowExpression, FlowExpression)

    public enum BinaryOperator: String, Equatable, Sendable {
        case or, and
        case equal = "==", notEqual = "!="
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case `in`, notIn = "not in"
        case plus = "+", minus = "-"
    }

    /// Every field path the expression reads, with its column (for "unknown variable" errors).
    public var paths: [(path: [String], column: Int)] {
        switch self {
        case .literal, .now: []
        case .path(let path, let column): [(path, column)]
        case .list(let items): items.flatMap(\.paths)
        case .not(let inner), .negate(let inner): inner.paths
        case .binary(_, let left, let right): left.paths + right.paths
        }
    }
}

/// A value while an expression is evaluated: JSON's kinds plus times and durations.
public enum ExpressionValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case time(Date)
    case duration(FlowDuration)
    case list([ExpressionValue])
    case object([String: FlowValue])

    public init(_ value: FlowValue) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .list(items.map(ExpressionValue.init))
        case .object(let fields): self = .object(fields)
        }
    }

    /// Back to JSON; times become RFC 3339 UTC strings, durations their short form.
    public var flowValue: FlowValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        case .time(let value): .string(FlowTime.format(value))
        case .duration(let value): .string(value.description)
        case .list(let items): .array(items.map(\.flowValue))
        case .object(let fields): .object(fields)
        }
    }

    /// The kind's name, as errors show it.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a true/false value"
        case .number: "a number"
        case .string: "text"
        case .time: "a time"
        case .duration: "a duration"
        case .list: "a list"
        case .object: "an object"
        }
    }

    public var description: String {
        switch self {
        case .string(let text): "'\(text)'"
        default: flowValue.plainText
        }
    }

    /// The time this value stands for: a time, or text in RFC 3339.
    var asTime: Date? {
        switch self {
        case .time(let date): date
        case .string(let text): FlowTime.parse(text)
        default: nil
        }
    }
}

extension FlowValue {
    /// Text for messages and template output: strings bare, everything else as JSON.
    var plainText: String {
        switch self {
        case .null: return "null"
        case .string(let text): return text
        case .bool(let value): return value ? "true" : "false"
        case .number: fallthrough
        case .array, .object:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
        }
    }
}

/// RFC 3339 times as flows write and read them (UTC on output; any offset on input).
public enum FlowTime {
    public static func parse(_ text: String) -> Date? {
        guard text.count >= 20, text.count <= 35 else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        // The format style reads only `Z`; the formatter also reads offsets such as +01:00.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}
