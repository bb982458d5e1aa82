import Foundation

/// A JSON document, bound as `jsonb` and decoded from `json` or `jsonb` columns.
public struct PostgresJSON: PostgresEncodable, PostgresDecodable, Hashable, CustomStringConvertible {
    /// The JSON text.
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Encodes `value` with `encoder`.
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        self.rawValue = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document as `type`.
    public func decode<T: Decodable>(as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(rawValue.utf8))
    }

    public var description: String { rawValue }

    public static var postgresDataType: PostgresDataType { .jsonb }
    public var postgresText: String? { rawValue }

    public init(postgresCell cell: PostgresCell) throws {
        guard cell.type == .json || cell.type == .jsonb || cell.type == .text || cell.type == .varchar else {
            throw cell.mismatch(Self.self)
        }
        self.rawValue = try cell.requireText(Self.self)
    }
}
