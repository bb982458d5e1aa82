import Foundation

extension EventJSONTree {
    /// Writes the tree as compact JSON with every object's members sorted by the UTF-8 bytes
    /// of their keys (what Foundation's `.sortedKeys` gives too).
    func serialize() -> [UInt8] {
        let storage = storage.pointee
        // Keys escape to at most 6 bytes per byte; each member adds quotes, colon and comma;
        // each container or empty value its two brackets.
        let bound = storage.scalars.count + 6 * storage.keys.count + 4 * storage.members.count + 2 * storage.nodes.count + 2
        return [UInt8](unsafeUninitializedCapacity: bound) { output, written in
            var writer = Writer(scalars: storage.scalars.bytes, keys: storage.keys.bytes, nodes: storage.nodes, members: storage.members,
                                output: output.baseAddress!, order: [])
            writer.order.reserveCapacity(storage.members.count)
            writer.write(0)
            written = writer.written
        }
    }

    private struct Writer {
        let scalars: UnsafeBufferPointer<UInt8>
        let keys: UnsafeBufferPointer<UInt8>
        let nodes: [Node]
        let members: [Member]
        /// Room for the bound `serialize` computed.
        let output: UnsafeMutablePointer<UInt8>
        var written = 0
        /// Members of the objects being written, innermost last, with their key prefixes at
        /// hand so that most sort comparisons read nothing else.
        var order: [SortEntry]

        struct SortEntry {
            var keyPrefix: UInt64
            var member: Int32
        }

        @inline(__always)
        private mutating func put(_ byte: UInt8) {
            output[written] = byte
            written &+= 1
        }

        @inline(__always)
        private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            (output + written).update(from: base, count: bytes.count)
            written &+= bytes.count
        }

        mutating func write(_ nodeIndex: Int32) {
            let node = nodes[Int(nodeIndex)]
            switch node.kind {
            case .scalar:
                put(UnsafeBufferPointer(rebasing: scalars[Int(node.first)..<Int(node.last)]))
            case .empty:
                put(UInt8(ascii: "{"))
                put(UInt8(ascii: "}"))
            case .array:
                put(UInt8(ascii: "["))
                var member = node.first
                while member >= 0 {
                    if member != node.first { put(UInt8(ascii: ",")) }
                    write(members[Int(member)].node)
                    member = members[Int(member)].next
                }
                put(UInt8(ascii: "]"))
            case .object:
                writeObject(node)
            }
        }

        private mutating func writeObject(_ node: Node) {
            let base = order.count
            var member = node.first
            while member >= 0 {
                order.append(SortEntry(keyPrefix: members[Int(member)].keyPrefix, member: member))
                member = members[Int(member)].next
            }
            // Insertion sort: objects are small, and it is stable, so among equal keys the
            // last encoded stays last.
            if order.count - base > 1 {
                for sorted in (base + 1)..<order.count {
                    let moving = order[sorted]
                    var slot = sorted
                    while slot > base, isAfter(order[slot - 1], moving) {
                        order[slot] = order[slot - 1]
                        slot -= 1
                    }
                    order[slot] = moving
                }
            }
            put(UInt8(ascii: "{"))
            var first = true
            var position = base
            while position < order.count {
                let current = order[position].member
                position += 1
                // A key encoded twice: the last one wins, as in Foundation.
                if position < order.count, order[position].keyPrefix == order[position - 1].keyPrefix,
                   compareKeys(current, order[position].member) == 0 { continue }
                if !first { put(UInt8(ascii: ",")) }
                first = false
                let key = members[Int(current)]
                let keyBytes = UnsafeBufferPointer(rebasing: keys[Int(key.keyStart)..<Int(key.keyStart + key.keyLength)])
                if key.keyNeedsEscaping {
                    var escaped = EventJSONByteBuffer(capacity: 6 * keyBytes.count + 2)
                    escaped.appendQuoted(keyBytes)
                    put(escaped.bytes)
                    escaped.free()
                } else {
                    put(UInt8(ascii: "\""))
                    put(keyBytes)
                    put(UInt8(ascii: "\""))
                }
                put(UInt8(ascii: ":"))
                write(key.node)
            }
            put(UInt8(ascii: "}"))
            order.removeSubrange(base...)
        }

        @inline(__always)
        private func isAfter(_ left: SortEntry, _ right: SortEntry) -> Bool {
            if left.keyPrefix != right.keyPrefix { return left.keyPrefix > right.keyPrefix }
            return compareKeys(left.member, right.member) > 0
        }

        /// Byte order of the two members' keys: negative, zero or positive.
        private func compareKeys(_ left: Int32, _ right: Int32) -> Int {
            let a = members[Int(left)]
            let b = members[Int(right)]
            if a.keyPrefix != b.keyPrefix { return a.keyPrefix < b.keyPrefix ? -1 : 1 }
            let common = Int(min(a.keyLength, b.keyLength))
            if common > 0 {
                let result = memcmp(keys.baseAddress! + Int(a.keyStart), keys.baseAddress! + Int(b.keyStart), common)
                if result != 0 { return Int(result) }
            }
            return Int(a.keyLength) - Int(b.keyLength)
        }
    }
}
