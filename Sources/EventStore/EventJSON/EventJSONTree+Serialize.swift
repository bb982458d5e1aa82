import Foundation

extension EventJSONTree {
    /// Writes the tree as compact JSON with every object's members sorted by the UTF-8 bytes
    /// of their keys (what Foundation's `.sortedKeys` gives too).
    func serialize() -> [UInt8] {
        let storage = storage.pointee
        // Keys escape to at most 6 bytes per byte; each member adds quotes, colon and comma;
        // each container or empty value its two brackets.
        let bound = storage.scalars.count + 6 * storage.keys.count + 4 * storage.members.count + 2 * storage.nodes.count + 2
        return storage.scalars.withUnsafeBufferPointer { scalars in
            storage.keys.withUnsafeBufferPointer { keys in
                [UInt8](unsafeUninitializedCapacity: bound) { output, written in
                    var writer = Writer(scalars: scalars, keys: keys, nodes: storage.nodes, members: storage.members,
                                        output: output.baseAddress!, order: [])
                    writer.order.reserveCapacity(storage.members.count)
                    writer.write(0)
                    written = writer.written
                }
            }
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
        /// Member indices of the objects being written, innermost last.
        var order: [Int32]

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
                order.append(member)
                member = members[Int(member)].next
            }
            // Insertion sort: objects are small, and it is stable, so among equal keys the
            // last encoded stays last.
            if order.count - base > 1 {
                for sorted in (base + 1)..<order.count {
                    let moving = order[sorted]
                    var slot = sorted
                    while slot > base, compareKeys(order[slot - 1], moving) > 0 {
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
                let current = order[position]
                position += 1
                // A key encoded twice: the last one wins, as in Foundation.
                if position < order.count, compareKeys(current, order[position]) == 0 { continue }
                if !first { put(UInt8(ascii: ",")) }
                first = false
                let key = members[Int(current)]
                let keyBytes = UnsafeBufferPointer(rebasing: keys[Int(key.keyStart)..<Int(key.keyStart + key.keyLength)])
                if key.keyNeedsEscaping {
                    var escaped: [UInt8] = []
                    EventJSONTree.appendQuoted(keyBytes, to: &escaped)
                    escaped.withUnsafeBufferPointer { put($0) }
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

    /// Appends `bytes` (valid UTF-8) as a JSON string: quotes, backslashes and control
    /// characters escaped the way Foundation does; everything else, "/" included, as is.
    static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            runStart = index + 1
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                           hexDigits.utf8Start[Int(byte >> 4)], hexDigits.utf8Start[Int(byte & 0xF)]])
            }
        }
        if runStart < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        output.append(UInt8(ascii: "\""))
    }
}
