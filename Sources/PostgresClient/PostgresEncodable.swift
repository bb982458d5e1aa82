import Foundation

/// A Swift value that can be bound to a `$n` parameter (and written into a COPY stream).
///
/// Values always travel separately from the SQL text, in PostgreSQL's text format; nothing here
/// ever splices a value into a statement.
public protocol PostgresEncodable: Sendable {
    /// The parameter type sent with the value (also used for a typed NULL of `Self?`).
    static var postgresDataType: PostgresDataType { get }
    /// The value in PostgreSQL's text format, or nil for SQL NULL.
    var postgresText: String? { get }
}

/// An untyped SQL NULL: the server infers its type from where it is used.
public struct PostgresNull: PostgresEncodable, Hashable {
    public init() {}
    public static var postgresDataType: PostgresDataType { .unspecified }
    public var postgresText: String? { nil }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { Wrapped.postgresDataType }
    public var postgresText: String? {
        switch self {
        case .none: nil
        case .some(let wrapped): wrapped.postgresText
        }
    }
}

extension String: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .text }
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .text }
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int4 }
    public var postgresText: String? { String(self) }
}

extension Int16: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .int2 }
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .float8 }
    /// Swift prints the shortest text that reads back to the same bits; PostgreSQL spells the
    /// special values its own way.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension Float: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .float4 }
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension Bool: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .bool }
    public var postgresText: String? { self ? "t" : "f" }
}

extension Date: PostgresEncodable {
    /// Sent as timestamptz, in UTC, with microsecond precision (PostgreSQL's own).
    public static var postgresDataType: PostgresDataType { .timestamptz }
    public var postgresText: String? { PostgresTimestamp.encode(self) }
}

extension UUID: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .uuid }
    public var postgresText: String? { uuidString.lowercased() }
}

extension Data: PostgresEncodable {
    /// bytea in hex text format (`\x0a1b...`): every byte value survives, NUL included.
    public static var postgresDataType: PostgresDataType { .bytea }
    public var postgresText: String? { PostgresHex.encode(self) }
}

enum PostgresHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ data: Data) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(2 + data.count * 2)
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "x"))
        for byte in data {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads bytea's hex output format (`bytea_output = hex`, set on every session).
    static func decode(_ text: String) -> Data? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0
        else { return nil }
        var out = Data(capacity: (utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
