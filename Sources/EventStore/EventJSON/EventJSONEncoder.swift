import Foundation

/// Encodes event bodies exactly as `EventCoding.encoder` (Foundation's `JSONEncoder` with
/// `.sortedKeys` and `.withoutEscapingSlashes`, dates via `Timestamp.format`) does, byte for
/// byte, at a fraction of the cost: values are written as JSON text into one buffer as they
/// come, objects remember their members in a flat list, and one final pass writes the members
/// of each object sorted by the UTF-8 bytes of their keys.
///
/// Formatting, as Foundation's: compact; Doubles and Floats as their shortest round-tripping
/// `description` without a trailing ".0"; NaN and infinity are refused; control characters as
/// `\b \t \n \f \r` or `\u00XX`; "/" and non-ASCII unescaped; `Data` as Base64; `URL` as its
/// absolute string; a value that encodes nothing as `{}`. A key encoded twice: the last wins.
public struct EventJSONEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let tree = EventJSONTree()
        let root = tree.addNode()
        try tree.encodeValue(value, into: root, path: .root)
        guard tree.nodes[Int(root)].kind != .empty else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return tree.serialize()
    }

    /// The same bytes as `Data`, for APIs that take it.
    public func encodeToData<T: Encodable>(_ value: T) throws -> Data {
        Data(try encode(value))
    }
}
