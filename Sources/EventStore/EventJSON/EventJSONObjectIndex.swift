import Foundation

/// The members of one scanned JSON object, found by a hash of the key's UTF-8 bytes.
/// Not generic (unlike the keyed container that uses it), so none of this needs generic
/// metadata at run time. The first of duplicate keys wins, as with Foundation's `JSONDecoder`.
struct EventJSONObjectIndex {
    struct Member {
        var hash: UInt64
        var keyNode: Int32
        var valueNode: Int32
    }

    let document: EventJSONDocument
    let members: [Member]
    /// Objects of more than `linearLimit` members: an open-addressing table of member index
    /// + 1 (0 = free slot) by hash, with linear probing. A later duplicate of a key probes
    /// after the earlier one, so the first still wins.
    private let slots: [UInt32]
    private static let linearLimit = 6

    init(document: EventJSONDocument, object: Int32) {
        self.document = document
        let count = Int(document.nodes[Int(object)].start)
        var members: [Member] = []
        members.reserveCapacity(count)
        var keyNode = object + 1
        for _ in 0..<count {
            let key = document.nodes[Int(keyNode)]
            let hash: UInt64
            if key.flags & EventJSONNode.hasEscapes == 0 {
                hash = Self.hash(UnsafeBufferPointer(start: document.bytes + Int(key.start), count: Int(key.end - key.start)))
            } else {
                var unescaped = document.string(of: key)
                hash = unescaped.withUTF8 { Self.hash($0) }
            }
            members.append(Member(hash: hash, keyNode: keyNode, valueNode: keyNode + 1))
            keyNode = document.nodeAfter(keyNode + 1)
        }
        self.members = members
        if count > Self.linearLimit {
            var capacity = 16
            while capacity < count * 2 { capacity <<= 1 }
            let mask = capacity - 1
            var slots = [UInt32](repeating: 0, count: capacity)
            for (index, member) in members.enumerated() {
                var slot = Int(truncatingIfNeeded: member.hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = UInt32(index + 1)
            }
            self.slots = slots
        } else {
            self.slots = []
        }
    }

    /// FNV-1a: a handful of cycles for a typical key, and it needs no setup.
    @inline(__always)
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
        let hash = Self.hash(name)
        if slots.isEmpty {
            for member in members where member.hash == hash && isKey(member, name) { return member.valueNode }
            return nil
        }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let member = members[Int(slots[slot] - 1)]
            if member.hash == hash && isKey(member, name) { return member.valueNode }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private func isKey(_ member: Member, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let key = document.nodes[Int(member.keyNode)]
        guard key.flags & EventJSONNode.hasEscapes == 0 else { return document.string(of: key).utf8.elementsEqual(name) }
        let length = Int(key.end - key.start)
        return length == name.count && (length == 0 || memcmp(document.bytes + Int(key.start), name.baseAddress!, length) == 0)
    }

    /// The keys in document order.
    var keys: [String] { members.map { document.string(of: document.nodes[Int($0.keyNode)]) } }
}
