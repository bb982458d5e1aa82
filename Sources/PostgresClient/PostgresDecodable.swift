import Foundation

/// One value of a result row as the server sent it (text format), with its column's metadata.
public struct PostgresCell: Sendable {
    /// The text, or nil for SQL NULL.
    public let text: String?
    public let type: PostgresDataType
    public let columnName: String
    public let columnIndex: Int

    /// The text, or an "unexpected NULL" decoding error for `target`.
    public func requireText<T>(_ target: T.Type) throws -> String {
        guard let text else { throw error(T.self, "unexpected NULL (decode as an Optional to allow it)") }
        return text
    }

    public func error<T>(_ target: T.Type, _ reason: String) -> PostgresDecodingError {
        PostgresDecodingError(
            column: columnName, columnIndex: columnIndex, columnType: type,
            targetType: String(describing: T.self), reason: reason)
    }

    func mismatch<T>(_ target: T.Type) -> PostgresDecodingError {
        error(T.self, "the column's type does not decode to this Swift type")
    }

    func unparsable<T>(_ target: T.Type, _ text: String) -> PostgresDecodingError {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return error(T.self, "unreadable value \"\(shown.oneLine)\"")
    }
}

/// A Swift type that a result column can be decoded into. NULL decodes only into an Optional.
public protocol PostgresDecodable: Sendable {
    init(postgresCell cell: PostgresCell) throws
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        if cell.text == nil { self = .none } else { self = .some(try Wrapped(postgresCell: cell)) }
    }
}

extension String: PostgresDecodable {
    /// Any column decodes to its text representation.
    public init(postgresCell cell: PostgresCell) throws {
        self = try cell.requireText(String.self)
    }
}

private let integerTypes: Set<PostgresDataType> = [.int2, .int4, .int8, .oidType, .numeric, .text, .varchar]

extension FixedWidthInteger where Self: PostgresDecodable {
    fileprivate static func decodeInteger(_ cell: PostgresCell) throws -> Self {
        guard integerTypes.contains(cell.type) || cell.type == .unspecified else { throw cell.mismatch(Self.self) }
        let text = try cell.requireText(Self.self)
        guard let value = Self(text, radix: 10) else { throw cell.unparsable(Self.self, text) }
        return value
    }
}

extension Int: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws { self = try .decodeInteger(cell) }
}

extension Int64: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws { self = try .decodeInteger(cell) }
}

extension Int32: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws { self = try .decodeInteger(cell) }
}

extension Int16: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws { self = try .decodeInteger(cell) }
}

private let floatTypes: Set<PostgresDataType> = [.float4, .float8, .numeric, .int2, .int4, .int8, .text]

extension Double: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        guard floatTypes.contains(cell.type) else { throw cell.mismatch(Double.self) }
        let text = try cell.requireText(Double.self)
        guard let value = Double(text) else { throw cell.unparsable(Double.self, text) }
        self = value
    }
}

extension Float: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        guard floatTypes.contains(cell.type) else { throw cell.mismatch(Float.self) }
        let text = try cell.requireText(Float.self)
        guard let value = Float(text) else { throw cell.unparsable(Float.self, text) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        guard cell.type == .bool else { throw cell.mismatch(Bool.self) }
        switch try cell.requireText(Bool.self) {
        case "t": self = true
        case "f": self = false
        case let other: throw cell.unparsable(Bool.self, other)
        }
    }
}

extension Date: PostgresDecodable {
    /// From timestamptz, timestamp (read as UTC) or date (UTC midnight).
    public init(postgresCell cell: PostgresCell) throws {
        guard cell.type == .timestamptz || cell.type == .timestamp || cell.type == .date else {
            throw cell.mismatch(Date.self)
        }
        let text = try cell.requireText(Date.self)
        guard let date = PostgresTimestamp.decode(text) else { throw cell.unparsable(Date.self, text) }
        self = date
    }
}

extension UUID: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        guard cell.type == .uuid || cell.type == .text || cell.type == .varchar else { throw cell.mismatch(UUID.self) }
        let text = try cell.requireText(UUID.self)
        guard let uuid = UUID(uuidString: text) else { throw cell.unparsable(UUID.self, text) }
        self = uuid
    }
}

extension Data: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws {
        guard cell.type == .bytea else { throw cell.mismatch(Data.self) }
        let text = try cell.requireText(Data.self)
        guard let data = PostgresHex.decode(text) else { throw cell.unparsable(Data.self, text) }
        self = data
    }
}
