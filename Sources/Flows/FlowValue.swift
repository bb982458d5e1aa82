import Foundation

/// A JSON value: the shape of trigger data, step inputs and step outputs. Expressions and
/// templates read it by field path (`booking.start`); it is stored in events as plain JSON.
public enum FlowValue: Codable, Equatable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FlowValue])
    case object([String: FlowValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([FlowValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: FlowValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers stay integers on the wire (`3`, not `3.0`).
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value at a dotted path (`booking.start`), or `nil` when any part is missing.
    /// Array elements are addressed by index (`items.0.name`).
    public func value(at path: [String]) -> FlowValue? {
        var current = self
        for key in path {
            switch current {
            case .object(let fields):
                guard let next = fields[key] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A copy with `value` stored at `path`, creating objects on the way.
    public func setting(_ value: FlowValue, at path: ArraySlice<String>) -> FlowValue {
        guard let key = path.first else { return value }
        var fields: [String: FlowValue] = if case .object(let existing) = self { existing } else { [:] }
        fields[key] = (fields[key] ?? .null).setting(value, at: path.dropFirst())
        return .object(fields)
    }

    /// Plain Swift values (`[String: Any]`, `[Any]`, `String`, `Double`, `Bool`) for Mustache.
    var mustacheContext: Any {
        switch self {
        case .null: return Optional<String>.none as Any
        case .bool(let value): return value
        case .number(let value): return value.rounded() == value && abs(value) < 1e15 ? Int(value) as Any : value as Any
        case .string(let value): return value
        case .array(let items): return items.map(\.mustacheContext)
        case .object(let fields): return fields.mapValues(\.mustacheContext)
        }
    }
}

extension FlowValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, FlowValue)...) { self = .object(Dictionary(elements) { _, last in last }) }
    public init(arrayLiteral elements: FlowValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension FlowValue {
    /// A copy in which every occurrence of a secret's value inside a string is replaced by
    /// `[redacted]`: what trace events show of step inputs and outputs. Secrets shorter than
    /// four characters are left alone (they would blank out ordinary words).
    public func redacting(secrets: some Collection<String>) -> FlowValue {
        let values = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
        guard !values.isEmpty else { return self }
        func redact(_ value: FlowValue) -> FlowValue {
            switch value {
            case .string(var text):
                for secret in values where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
                return .string(text)
            case .array(let items): return .array(items.map(redact))
            case .object(let fields): return .object(fields.mapValues(redact))
            default: return value
            }
        }
        return redact(self)
    }
}
