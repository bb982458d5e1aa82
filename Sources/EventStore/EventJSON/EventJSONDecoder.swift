import Foundation

/// Decodes event bodies: Foundation's `JSONDecoder` semantics as `EventCoding.decoder` has
/// them (dates as RFC 3339 UTC via `Timestamp`, `Data` as Base64, `URL` as its string), at a
/// fraction of the cost: the bytes are scanned once into a flat index (`EventJSONNode`), and
/// numbers and strings are converted only when a `Decodable` asks for them.
///
/// Input is strict JSON (RFC 8259): trailing commas, comments, leading zeros, unescaped
/// control characters, invalid UTF-8 and lone surrogates are `DecodingError.dataCorrupted`.
/// Deliberate differences from Foundation: Foundation accepts trailing commas, this does not.
/// Duplicate keys: the first one wins, as with Foundation.
public struct EventJSONDecoder: Sendable {
    /// How deep objects and arrays may nest; deeper input is refused before it can exhaust
    /// the stack.
    public var maximumDepth: Int

    public init(maximumDepth: Int = 512) {
        self.maximumDepth = maximumDepth
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { try decode(type, fromBuffer: $0) }
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { try decode(type, fromBuffer: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    public func decode<T: Decodable>(_ type: T.Type, fromBuffer buffer: UnsafeBufferPointer<UInt8>) throws -> T {
        let nodes = try EventJSONScanner.scan(buffer, maximumDepth: maximumDepth)
        // `scan` refuses empty input, so there is a base address.
        let document = EventJSONDocument(bytes: buffer.baseAddress!, byteCount: buffer.count, nodes: nodes)
        return try document.decodeValue(type, at: 0, path: .root)
    }
}

/// A scanned document and the conversions of its values, shared by all containers of one
/// `decode` call. Lives only for that call: `bytes` points into the caller's buffer.
final class EventJSONDocument {
    let bytes: UnsafePointer<UInt8>
    let byteCount: Int
    let nodes: [EventJSONNode]
    /// A `null` node after the document's own, for `superDecoder(forKey:)` of a missing key.
    let nullNode: Int32

    init(bytes: UnsafePointer<UInt8>, byteCount: Int, nodes: [EventJSONNode]) {
        self.bytes = bytes
        self.byteCount = byteCount
        var nodes = nodes
        nullNode = Int32(nodes.count)
        nodes.append(EventJSONNode(kind: .null, flags: 0, start: 0, end: 0))
        self.nodes = nodes
    }

    /// The node after `index` and everything nested in it.
    @inline(__always)
    func nodeAfter(_ index: Int32) -> Int32 {
        let node = nodes[Int(index)]
        return node.kind == .array || node.kind == .object ? node.end : index + 1
    }

    /// The raw text of a scalar, for error messages and slow paths.
    func text(of index: Int32) -> String {
        let node = nodes[Int(index)]
        return String(decoding: UnsafeBufferPointer(start: bytes + Int(node.start), count: Int(node.end - node.start)), as: UTF8.self)
    }

    /// Decodes any `Decodable`, intercepting the types Foundation's JSON coders treat specially
    /// (`Date` with the event-store strategy, `Data`, `URL`, `Decimal`).
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int32, path: @autoclosure () -> EventJSONCodingPath) throws -> T {
        if T.self == Date.self { return try decodeDate(at: index, path().keys) as! T }
        if T.self == String.self { return try decodeString(at: index, path().keys) as! T }
        if T.self == Data.self { return try decodeData(at: index, path().keys) as! T }
        if T.self == URL.self { return try decodeURL(at: index, path().keys) as! T }
        if T.self == Decimal.self { return try decodeDecimal(at: index, path().keys) as! T }
        return try T(from: EventJSONValueDecoder(document: self, node: index, path: path()))
    }

    // MARK: Errors, in Foundation's words

    func mismatch(_ type: Any.Type, at index: Int32, _ codingPath: [any CodingKey]) -> DecodingError {
        let node = nodes[Int(index)]
        if node.kind == .null {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected to decode \(type) but found \(node.kind.descriptionForErrors) instead."))
    }
}

extension EventJSONNode.Kind {
    var descriptionForErrors: String {
        EventJSONNode(kind: self, flags: 0, start: 0, end: 0).kindDescription
    }
}
