/// The elements of one JSON array, in order. A failed decode does not advance, as in
/// Foundation, so callers may retry the element as another type.
struct EventJSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    private let document: EventJSONDocument
    private let path: EventJSONCodingPath
    let count: Int?
    private(set) var currentIndex = 0
    /// The node of the element at `currentIndex`.
    private var cursor: Int32

    init(document: EventJSONDocument, array: Int32, path: EventJSONCodingPath) {
        self.document = document
        self.path = path
        self.count = Int(document.nodes[Int(array)].start)
        self.cursor = array + 1
    }

    var codingPath: [any CodingKey] { path.keys }
    var isAtEnd: Bool { currentIndex >= count! }

    private var currentKey: EventJSONKey { EventJSONKey(index: currentIndex) }
    private var currentKeys: [any CodingKey] { path.keys + [currentKey] }

    /// The current element's node; throws when there is none left.
    private func current(_ type: Any.Type) throws -> Int32 {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: currentKeys, debugDescription: "Unkeyed container is at end."))
        }
        return cursor
    }

    private mutating func advance() {
        cursor = document.nodeAfter(cursor)
        currentIndex += 1
    }

    /// Decodes the current element with `convert` and moves on only if that worked.
    /// `convert` gets the document, the node and the coding path of the element (built only
    /// if it throws), not `self`, which is being mutated.
    private mutating func next<T>(_ type: T.Type, _ convert: (EventJSONDocument, Int32, @autoclosure () -> [any CodingKey]) throws -> T) throws -> T {
        let node = try current(type)
        let (path, index) = (path, currentIndex)
        let value = try convert(document, node, path.keys + [EventJSONKey(index: index)])
        advance()
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard document.decodeNil(at: try current(Any?.self)) else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decodeBool(at: $1, $2()) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decodeDouble(at: $1, $2()) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decodeFloat(at: $1, $2()) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.decodeInteger(type, at: $1, $2()) } }

    mutating func decode(_ type: String.Type) throws -> String {
        let node = try current(type)
        let value = try document.decodeString(at: node, currentKeys)
        advance()
        return value
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let node = try current(type)
        let value = try document.decodeValue(type, at: node, path: path.appending(currentKey))
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let node = try current(KeyedDecodingContainer<NestedKey>.self)
        let container = try EventJSONValueDecoder(document: document, node: node, path: path.appending(currentKey)).container(keyedBy: type)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let node = try current((any UnkeyedDecodingContainer).self)
        let container = try EventJSONValueDecoder(document: document, node: node, path: path.appending(currentKey)).unkeyedContainer()
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let node = try current((any Decoder).self)
        let decoder = EventJSONValueDecoder(document: document, node: node, path: path.appending(currentKey))
        advance()
        return decoder
    }
}
