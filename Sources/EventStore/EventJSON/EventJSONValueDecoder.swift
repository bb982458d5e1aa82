/// The `Decoder` for one value of a scanned document; it is also that value's single-value
/// container, as in Foundation.
struct EventJSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let document: EventJSONDocument
    let node: Int32
    let path: EventJSONCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let kind = document.nodes[Int(node)].kind
        guard kind == .object else {
            if kind == .null {
                throw DecodingError.valueNotFound(KeyedDecodingContainer<Key>.self, .init(
                    codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
            }
            throw DecodingError.typeMismatch([String: Any].self, .init(
                codingPath: codingPath, debugDescription: "Expected to decode Dictionary<String, Any> but found \(kind.descriptionForErrors) instead."))
        }
        return KeyedDecodingContainer(EventJSONKeyedDecodingContainer<Key>(document: document, object: node, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let kind = document.nodes[Int(node)].kind
        guard kind == .array else {
            if kind == .null {
                throw DecodingError.valueNotFound((any UnkeyedDecodingContainer).self, .init(
                    codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
            }
            throw DecodingError.typeMismatch([Any].self, .init(
                codingPath: codingPath, debugDescription: "Expected to decode Array<Any> but found \(kind.descriptionForErrors) instead."))
        }
        return EventJSONUnkeyedDecodingContainer(document: document, array: node, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { document.decodeNil(at: node) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.decodeBool(at: node, codingPath) }
    func decode(_ type: String.Type) throws -> String { try document.decodeString(at: node, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try document.decodeDouble(at: node, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try document.decodeFloat(at: node, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.decodeInteger(type, at: node, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.decodeInteger(type, at: node, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.decodeValue(type, at: node, path: path) }
}
