import Foundation

/// What an `EventJSONEncoder` builds while a value encodes itself: scalars are already JSON
/// text in `scalars`; objects and arrays are linked lists of members, because containers may
/// be filled in any order (a nested container can be written to after its parent moved on),
/// and object members must come out sorted by key.
final class EventJSONTree {
    enum Kind: UInt8 { case empty, scalar, object, array }

    struct Node {
        var kind: Kind
        /// Scalars: the range of their text in `scalars`. Containers: the first and last member
        /// (-1 when none).
        var first: Int32
        var last: Int32
        /// Containers: how many members.
        var count: Int32
    }

    struct Member {
        /// The key's raw UTF-8 bytes in `keys` (arrays: unused).
        var keyStart: Int32
        var keyLength: Int32
        var node: Int32
        var next: Int32
        /// The key's first eight bytes, big-endian, zero-padded: most sort comparisons end here.
        var keyPrefix: UInt64
        /// Whether the key has a byte that JSON needs escaped.
        var keyNeedsEscaping: Bool
    }

    struct Storage {
        var scalars = EventJSONByteBuffer(capacity: 512)
        var keys = EventJSONByteBuffer(capacity: 256)
        var nodes: [Node] = []
        var members: [Member] = []
    }

    /// Behind a pointer rather than in stored properties: the arrays are modified on every
    /// value, and Swift checks exclusive access to a class's stored properties at run time
    /// (`swift_beginAccess`), which cost more than the appends. The tree lives for one
    /// `encode` call on one thread, so nothing else can access it.
    let storage: UnsafeMutablePointer<Storage>

    init() {
        storage = .allocate(capacity: 1)
        storage.initialize(to: Storage())
        storage.pointee.nodes.reserveCapacity(32)
        storage.pointee.members.reserveCapacity(32)
    }

    deinit {
        storage.pointee.scalars.free()
        storage.pointee.keys.free()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    var nodes: [Node] { storage.pointee.nodes }

    func addNode() -> Int32 {
        storage.pointee.nodes.append(Node(kind: .empty, first: -1, last: -1, count: 0))
        return Int32(storage.pointee.nodes.count - 1)
    }

    /// Makes `node` an object (or keeps it one: a value may ask for its keyed container twice).
    func makeObject(_ node: Int32) {
        switch storage.pointee.nodes[Int(node)].kind {
        case .empty: storage.pointee.nodes[Int(node)].kind = .object
        case .object: break
        default: preconditionFailure("Attempt to push new keyed encoding container when already previously encoded at this path.")
        }
    }

    func makeArray(_ node: Int32) {
        switch storage.pointee.nodes[Int(node)].kind {
        case .empty: storage.pointee.nodes[Int(node)].kind = .array
        case .array: break
        default: preconditionFailure("Attempt to push new unkeyed encoding container when already previously encoded at this path.")
        }
    }

    /// Adds a member with an empty value to a container; returns the value's node.
    func addMember(to container: Int32, key: String?) -> Int32 {
        var member = Member(keyStart: 0, keyLength: 0, node: addNode(), next: -1, keyPrefix: 0, keyNeedsEscaping: false)
        if let key {
            if key.utf8.withContiguousStorageIfAvailable({ setKey($0, of: &member) }) == nil {
                Array(key.utf8).withUnsafeBufferPointer { setKey($0, of: &member) }
            }
        }
        let index = Int32(storage.pointee.members.count)
        storage.pointee.members.append(member)
        let last = storage.pointee.nodes[Int(container)].last
        if last < 0 { storage.pointee.nodes[Int(container)].first = index } else { storage.pointee.members[Int(last)].next = index }
        storage.pointee.nodes[Int(container)].last = index
        storage.pointee.nodes[Int(container)].count += 1
        return member.node
    }

    private func setKey(_ key: UnsafeBufferPointer<UInt8>, of member: inout Member) {
        member.keyStart = Int32(storage.pointee.keys.count)
        member.keyLength = Int32(key.count)
        storage.pointee.keys.append(key)
        var prefix: UInt64 = 0
        if key.count >= 8 {
            prefix = UnsafeRawPointer(key.baseAddress!).loadUnaligned(as: UInt64.self).bigEndian
        } else {
            for index in 0..<8 { prefix = prefix << 8 | UInt64(index < key.count ? key[index] : 0) }
        }
        member.keyPrefix = prefix
        member.keyNeedsEscaping = key.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    // MARK: Scalars

    /// Starts writing the text of `node`'s scalar; `finishScalar` records where it ended.
    @inline(__always)
    private func startScalar(_ node: Int32) -> Int32 {
        precondition(storage.pointee.nodes[Int(node)].kind == .empty, "Attempt to encode value through single value container when previously value already encoded.")
        return Int32(storage.pointee.scalars.count)
    }

    @inline(__always)
    private func finishScalar(_ node: Int32, from start: Int32) {
        storage.pointee.nodes[Int(node)] = Node(kind: .scalar, first: start, last: Int32(storage.pointee.scalars.count), count: 0)
    }

    private static var null: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: ("null" as StaticString).utf8Start, count: 4) }
    private static var `true`: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: ("true" as StaticString).utf8Start, count: 4) }
    private static var `false`: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: ("false" as StaticString).utf8Start, count: 5) }

    func setNull(_ node: Int32) {
        let start = startScalar(node)
        storage.pointee.scalars.append(EventJSONTree.null)
        finishScalar(node, from: start)
    }

    func setBool(_ value: Bool, _ node: Int32) {
        let start = startScalar(node)
        if value {
            storage.pointee.scalars.append(EventJSONTree.true)
        } else {
            storage.pointee.scalars.append(EventJSONTree.false)
        }
        finishScalar(node, from: start)
    }

    func setString(_ value: String, _ node: Int32) {
        let start = startScalar(node)
        var value = value
        value.withUTF8 { storage.pointee.scalars.appendQuoted($0) }
        finishScalar(node, from: start)
    }

    func setInteger<T: FixedWidthInteger>(_ value: T, _ node: Int32) {
        let start = startScalar(node)
        if value < 0 { storage.pointee.scalars.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        // Digits come out last first; at most 20 of them.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            storage.pointee.scalars.append(UnsafeBufferPointer(rebasing: digits[index...]))
        }
        finishScalar(node, from: start)
    }

    func setDouble(_ value: Double, _ node: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        setNumberText(value.description, node)
    }

    func setFloat(_ value: Float, _ node: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "Unable to encode Float.\(value) directly in JSON."))
        }
        setNumberText(value.description, node)
    }

    /// A float's shortest round-tripping text, without the ".0" Foundation leaves off too.
    private func setNumberText(_ text: String, _ node: Int32) {
        let start = startScalar(node)
        var text = text
        text.withUTF8 { bytes in
            let length = bytes.count >= 2 && bytes[bytes.count - 2] == UInt8(ascii: ".") && bytes[bytes.count - 1] == UInt8(ascii: "0")
                ? bytes.count - 2 : bytes.count
            storage.pointee.scalars.append(UnsafeBufferPointer(rebasing: bytes[0..<length]))
        }
        finishScalar(node, from: start)
    }

    // MARK: Any Encodable

    /// Encodes any `Encodable` into the empty `node`, intercepting the types Foundation's JSON
    /// coders treat specially (`Date` with the event-store strategy, `Data`, `URL`, `Decimal`).
    func encodeValue<T: Encodable>(_ value: T, into node: Int32, path: @autoclosure () -> EventJSONCodingPath) throws {
        if T.self == String.self {
            setString(value as! String, node)
        } else if T.self == Date.self {
            let start = startScalar(node)
            EventJSONTimestamp.appendQuoted(value as! Date, to: &storage.pointee.scalars)
            finishScalar(node, from: start)
        } else if T.self == Data.self {
            setString((value as! Data).base64EncodedString(), node)
        } else if T.self == URL.self {
            setString((value as! URL).absoluteString, node)
        } else if T.self == Decimal.self {
            let decimal = value as! Decimal
            guard !decimal.isNaN else {
                throw EncodingError.invalidValue(decimal, .init(codingPath: path().keys, debugDescription: "Unable to encode Decimal.nan directly in JSON."))
            }
            setNumberText(decimal.description, node)
        } else {
            try value.encode(to: EventJSONValueEncoder(tree: self, node: node, path: path()))
        }
    }
}
