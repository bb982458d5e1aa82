/// The `Encoder` for one value (one node of the tree); it is also that value's single-value
/// container, as in Foundation.
struct EventJSONValueEncoder: Encoder, SingleValueEncodingContainer {
    let tree: EventJSONTree
    let node: Int32
    let path: EventJSONCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        tree.makeObject(node)
        return KeyedEncodingContainer(EventJSONKeyedEncodingContainer<Key>(tree: tree, object: node, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        tree.makeArray(node)
        return EventJSONUnkeyedEncodingContainer(tree: tree, array: node, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() throws { tree.setNull(node) }
    func encode(_ value: Bool) throws { tree.setBool(value, node) }
    func encode(_ value: String) throws { tree.setString(value, node) }
    func encode(_ value: Double) throws { try tree.setDouble(value, node, codingPath) }
    func encode(_ value: Float) throws { try tree.setFloat(value, node, codingPath) }
    func encode(_ value: Int) throws { tree.setInteger(value, node) }
    func encode(_ value: Int8) throws { tree.setInteger(value, node) }
    func encode(_ value: Int16) throws { tree.setInteger(value, node) }
    func encode(_ value: Int32) throws { tree.setInteger(value, node) }
    func encode(_ value: Int64) throws { tree.setInteger(value, node) }
    func encode(_ value: UInt) throws { tree.setInteger(value, node) }
    func encode(_ value: UInt8) throws { tree.setInteger(value, node) }
    func encode(_ value: UInt16) throws { tree.setInteger(value, node) }
    func encode(_ value: UInt32) throws { tree.setInteger(value, node) }
    func encode(_ value: UInt64) throws { tree.setInteger(value, node) }
    func encode<T: Encodable>(_ value: T) throws { try tree.encodeValue(value, into: node, path: path) }
}

struct EventJSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let tree: EventJSONTree
    let object: Int32
    let path: EventJSONCodingPath

    var codingPath: [any CodingKey] { path.keys }

    private func member(_ key: Key) -> Int32 { tree.addMember(to: object, key: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { tree.setNull(member(key)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { tree.setBool(value, member(key)) }
    mutating func encode(_ value: String, forKey key: Key) throws { tree.setString(value, member(key)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try tree.setDouble(value, member(key), path.keys + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try tree.setFloat(value, member(key), path.keys + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { tree.setInteger(value, member(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { tree.setInteger(value, member(key)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try tree.encodeValue(value, into: member(key), path: path.appending(key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        EventJSONValueEncoder(tree: tree, node: member(key), path: path.appending(key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        EventJSONValueEncoder(tree: tree, node: member(key), path: path.appending(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let node = tree.addMember(to: object, key: EventJSONKey.superKey.stringValue)
        return EventJSONValueEncoder(tree: tree, node: node, path: path.appending(EventJSONKey.superKey))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        EventJSONValueEncoder(tree: tree, node: member(key), path: path.appending(key))
    }
}

struct EventJSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let tree: EventJSONTree
    let array: Int32
    let path: EventJSONCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var count: Int { Int(tree.nodes[Int(array)].count) }

    private var nextKey: EventJSONKey { EventJSONKey(index: count) }
    private func element() -> Int32 { tree.addMember(to: array, key: nil) }

    mutating func encodeNil() throws { tree.setNull(element()) }
    mutating func encode(_ value: Bool) throws { tree.setBool(value, element()) }
    mutating func encode(_ value: String) throws { tree.setString(value, element()) }
    mutating func encode(_ value: Double) throws { try tree.setDouble(value, element(), path.keys + [EventJSONKey(index: count - 1)]) }
    mutating func encode(_ value: Float) throws { try tree.setFloat(value, element(), path.keys + [EventJSONKey(index: count - 1)]) }
    mutating func encode(_ value: Int) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: Int8) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: Int16) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: Int32) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: Int64) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: UInt) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: UInt8) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: UInt16) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: UInt32) throws { tree.setInteger(value, element()) }
    mutating func encode(_ value: UInt64) throws { tree.setInteger(value, element()) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = nextKey
        try tree.encodeValue(value, into: element(), path: path.appending(key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey
        return EventJSONValueEncoder(tree: tree, node: element(), path: path.appending(key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        return EventJSONValueEncoder(tree: tree, node: element(), path: path.appending(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let key = nextKey
        return EventJSONValueEncoder(tree: tree, node: element(), path: path.appending(key))
    }
}
