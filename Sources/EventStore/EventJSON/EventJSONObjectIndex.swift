import Foundation

/// The members of one scanned JSON object, found by name. Not generic (unlike the keyed
/// container that uses it), so none of this needs generic metadata at run time. The first of
/// duplicate keys wins, as with Foundation's `JSONDecoder`.
///
/// Small objects (event bodies) are searched linearly by length and first eight bytes, which
/// settles almost every comparison without touching the key's bytes again; big ones
/// (dictionaries) get a hash table so decoding them is not quadratic.
///
/// A class, and the keyed container's only stored property: the standard
/// library's container box copies the container on every call, and one reference is one
/// retain where a struct of several references was several.
final class EventJSONObjectIndex {
    struct Member {
        var keyNode: Int32
        var valueNode: Int32
        /// -1 for keys with escapes: those are compared as unescaped strings.
        var keyLength: Int32
        /// The key's first eight bytes, zero-padded.
        var keyPrefix: UInt64
    }

    let document: EventJSONDocument
    let path: EventJSONCodingPath
    let members: [Member]
    /// Objects of more than `linearLimit` members: an open-addressing table (linear probing)
    /// of member index + 1 (0 = free) by FNV-1a hash of the key. A later duplicate of a key
    /// probes after the earlier one, so the first still wins.
    private let slots: [UInt32]
    private let hashes: [UInt64]
    private static let linearLimit = 16

    init(document: EventJSONDocument, object: Int32, path: EventJSONCodingPath) {
        self.document = document
        self.path = path
        let count = Int(document.nodes[Int(object)].start)
        var members: [Member] = []
        members.reserveCapacity(count)
        var keyNode = object + 1
        for _ in 0..<count {
            let key = document.nodes[Int(keyNode)]
            let length = Int(key.end - key.start)
            if key.flags & EventJSONNode.hasEscapes == 0 {
                let prefix = Self.prefix(document.bytes + Int(key.start), length: length, readable: document.byteCount - Int(key.start))
                members.append(Member(keyNode: keyNode, valueNode: keyNode + 1, keyLength: Int32(length), keyPrefix: prefix))
            } else {
                members.append(Member(keyNode: keyNode, valueNode: keyNode + 1, keyLength: -1, keyPrefix: 0))
            }
            keyNode = document.nodeAfter(keyNode + 1)
        }
        self.members = members
        guard count > Self.linearLimit else {
            slots = []
            hashes = []
            return
        }
        var hashes: [UInt64] = []
        hashes.reserveCapacity(count)
        for member in members {
            var name = document.string(of: document.nodes[Int(member.keyNode)])
            hashes.append(name.withUTF8 { Self.hash($0) })
        }
        var capacity = 32
        while capacity < count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [UInt32](repeating: 0, count: capacity)
        for index in members.indices {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
        self.slots = slots
        self.hashes = hashes
    }

    /// The first `min(length, 8)` bytes at `start` as one word, zero-padded. One load when
    /// eight bytes can be read there (`readable`), byte by byte otherwise.
    @inline(__always)
    private static func prefix(_ start: UnsafePointer<UInt8>, length: Int, readable: Int) -> UInt64 {
        if readable >= 8 {
            let word = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self).littleEndian
            return length >= 8 ? word : word & ((1 << (UInt64(length) << 3)) &- 1)
        }
        var word: UInt64 = 0
        for index in 0..<min(length, 8) { word |= UInt64(start[index]) << (UInt64(index) << 3) }
        return word
    }

    /// FNV-1a: a handful of cycles per byte and no setup.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The value node of the member named `name`, or nil when there is none.
    func valueNode(_ name: String) -> Int32? {
        if let found = name.utf8.withContiguousStorageIfAvailable({ find($0) }) { return found }
        return Array(name.utf8).withUnsafeBufferPointer { find($0) }
    }

    private func find(_ name: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let base = name.baseAddress else { return find(emptyName: ()) }
        if slots.isEmpty {
            let length = Int32(name.count)
            let prefix = Self.prefix(base, length: name.count, readable: name.count)
            for member in members {
                if member.keyLength == length && member.keyPrefix == prefix {
                    if length <= 8 || memcmp(document.bytes + Int(document.nodes[Int(member.keyNode)].start) + 8, base + 8, name.count - 8) == 0 {
                        return member.valueNode
                    }
                } else if member.keyLength < 0 && isKey(member, name) {
                    return member.valueNode
                }
            }
            return nil
        }
        let hash = Self.hash(name)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if hashes[index] == hash && isKey(members[index], name) { return members[index].valueNode }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The empty key "" (a buffer without a base address).
    private func find(emptyName: Void) -> Int32? {
        members.first { member in
            member.keyLength == 0 || (member.keyLength < 0 && document.string(of: document.nodes[Int(member.keyNode)]).isEmpty)
        }?.valueNode
    }

    private func isKey(_ member: Member, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let key = document.nodes[Int(member.keyNode)]
        guard member.keyLength >= 0 else { return document.string(of: key).utf8.elementsEqual(name) }
        let length = Int(key.end - key.start)
        return length == name.count && (length == 0 || memcmp(document.bytes + Int(key.start), name.baseAddress!, length) == 0)
    }

    /// The keys in document order.
    var keys: [String] { members.map { document.string(of: document.nodes[Int($0.keyNode)]) } }
}
