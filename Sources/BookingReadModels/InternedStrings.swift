import Foundation

/// Strings stored once each and named by a dense index (0, 1, 2, ... in the order first seen),
/// for folds that hold hundreds of thousands of ids: the UTF-8 bytes of all strings live in one
/// buffer and an open-addressing table maps them to their index, where a `[String: Int]`
/// would allocate every id longer than 15 bytes on its own and keep a 16-byte key per slot.
///
/// Hashing is `Hasher` (randomly seeded per process), so ids chosen to collide cannot make
/// lookups quadratic.
struct InternedStrings {
    private var bytes: [UInt8] = []
    /// `ends[i]`: where string `i`'s bytes end in `bytes` (it starts where `i - 1` ends).
    private var ends: [Int] = []
    /// 0 for a free slot, else the string's index + 1 and, above bit 32, its hash's top half
    /// (compared before the bytes). The count is a power of two, at most three quarters full.
    private var slots: [UInt64] = []

    var count: Int { ends.count }

    /// The index of `string`, adding it when new.
    mutating func intern(_ string: String) -> (index: Int, inserted: Bool) {
        var string = string
        return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The index of the string with these UTF-8 bytes, adding it when new.
    mutating func intern(_ utf8: UnsafeRawBufferPointer) -> (index: Int, inserted: Bool) {
        if slots.isEmpty { slots = Array(repeating: 0, count: 1024) }
        let hash = Self.hash(utf8)
        if let found = find(utf8, hash: hash) { return (found.index, false) }
        let index = ends.count
        bytes.append(contentsOf: utf8)
        ends.append(bytes.count)
        if (index + 1) * 4 > slots.count * 3 { grow() }
        insertSlot(index, hash: hash)
        return (index, true)
    }

    /// The index of the string with these UTF-8 bytes, if stored.
    func index(of utf8: UnsafeRawBufferPointer) -> Int? {
        guard !slots.isEmpty else { return nil }
        return find(utf8, hash: Self.hash(utf8))?.index
    }

    func withUTF8<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let start = index == 0 ? 0 : ends[index - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[index]])) }
    }

    func string(at index: Int) -> String {
        withUTF8(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    mutating func removeAll() {
        bytes = []
        ends = []
        slots = []
    }

    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }

    private static func hash(_ utf8: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: utf8)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private func find(_ utf8: UnsafeRawBufferPointer, hash: UInt64) -> (index: Int, slot: Int)? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash >> 32
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if withUTF8(at: index, { Self.equal($0, utf8) }) { return (index, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func insertSlot(_ index: Int, hash: UInt64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = (hash >> 32) << 32 | UInt64(index + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for index in 0..<ends.count {
            let hash = withUTF8(at: index) { Self.hash($0) }
            insertSlot(index, hash: hash)
        }
    }
}
