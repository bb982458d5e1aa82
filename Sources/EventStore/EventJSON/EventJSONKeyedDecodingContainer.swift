/// The members of one JSON object by `Key`; the lookups are `EventJSONObjectIndex`'s.
struct EventJSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let index: EventJSONObjectIndex
    private var document: EventJSONDocument { index.document }
    private var path: EventJSONCodingPath { index.path }

    init(document: EventJSONDocument, object: Int32, path: EventJSONCodingPath) {
        self.index = EventJSONObjectIndex(document: document, object: object, path: path)
    }

    @inline(__always)
    private func valueNode(_ key: Key) -> Int32? { index.valueNode(key.stringValue) }

    private func require(_ key: Key) throws -> Int32 {
        guard let node = valueNode(key) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: path.keys, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return node
    }

    private func keys(_ key: Key) -> [any CodingKey] { path.keys + [key] }

    // MARK: KeyedDecodingContainerProtocol

    var codingPath: [any CodingKey] { path.keys }

    var allKeys: [Key] {
        index.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool { valueNode(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { document.decodeNil(at: try require(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.decodeBool(at: try require(key), keys(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.decodeString(at: try require(key), keys(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.decodeDouble(at: try require(key), keys(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try document.decodeFloat(at: try require(key), keys(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try document.decodeInteger(type, at: try require(key), keys(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try document.decodeInteger(type, at: try require(key), keys(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try document.decodeValue(type, at: try require(key), path: path.appending(key))
    }

    /// One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = valueNode(key), !document.decodeNil(at: node) else { return nil }
        return try document.decodeValue(type, at: node, path: path.appending(key))
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let node = valueNode(key), !document.decodeNil(at: node) else { return nil }
        return try document.decodeString(at: node, keys(key))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let node = valueNode(key), !document.decodeNil(at: node) else { return nil }
        return try document.decodeInteger(type, at: node, keys(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let node = valueNode(key), !document.decodeNil(at: node) else { return nil }
        return try document.decodeBool(at: node, keys(key))
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let node = valueNode(key), !document.decodeNil(at: node) else { return nil }
        return try document.decodeDouble(at: node, keys(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        guard let node = valueNode(key) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: path.keys, debugDescription: "Cannot get nested keyed container -- no value found for key \(key) (\"\(key.stringValue)\")"))
        }
        return try EventJSONValueDecoder(document: document, node: node, path: path.appending(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard let node = valueNode(key) else {
            throw DecodingError.keyNotFound(key, .init(
                codingPath: path.keys, debugDescription: "Cannot get nested unkeyed container -- no value found for key \(key) (\"\(key.stringValue)\")"))
        }
        return try EventJSONValueDecoder(document: document, node: node, path: path.appending(key)).unkeyedContainer()
    }

    /// As in Foundation: a missing `super` key decodes as null rather than failing here.
    func superDecoder() throws -> any Decoder {
        EventJSONValueDecoder(document: document, node: index.valueNode(EventJSONKey.superKey.stringValue) ?? document.nullNode,
                              path: path.appending(EventJSONKey.superKey))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        EventJSONValueDecoder(document: document, node: valueNode(key) ?? document.nullNode, path: path.appending(key))
    }
}
