/// A growable byte buffer without `Array`'s per-append uniqueness and capacity bookkeeping,
/// for the encoder's text. Owned by one `EventJSONTree` (which frees it) on one thread.
struct EventJSONByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count &+= bytes.count
    }

    /// Appends without checking for room: the caller reserved it.
    @inline(__always)
    mutating func appendReserved(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }

    /// Appends `bytes` (valid UTF-8) as a JSON string: quotes, backslashes and control
    /// characters escaped the way Foundation does; everything else, "/" and non-ASCII
    /// included, as is.
    mutating func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Room for the common case, no escapes; escapes reserve their own.
        reserve(bytes.count + 2)
        appendReserved(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while none needs escaping (SWAR, as in the scanner; a
            // byte's top bit marks a match, and the lowest mark is a real one).
            if index &+ 8 <= bytes.count {
                let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let quotes = word ^ (ones &* 0x22)
                let backslashes = word ^ (ones &* 0x5C)
                let special = ((word &- ones &* 0x20) & ~word | (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes)
                    & 0x8080_8080_8080_8080
                if special == 0 {
                    index &+= 8
                    continue
                }
                index &+= special.trailingZeroBitCount >> 3
            }
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                index &+= 1
                continue
            }
            append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            index &+= 1
            runStart = index
            reserve(6 + bytes.count - runStart + 1)
            appendReserved(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): appendReserved(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): appendReserved(UInt8(ascii: "\\"))
            case 0x08: appendReserved(UInt8(ascii: "b"))
            case 0x09: appendReserved(UInt8(ascii: "t"))
            case 0x0A: appendReserved(UInt8(ascii: "n"))
            case 0x0C: appendReserved(UInt8(ascii: "f"))
            case 0x0D: appendReserved(UInt8(ascii: "r"))
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                appendReserved(UInt8(ascii: "u"))
                appendReserved(UInt8(ascii: "0"))
                appendReserved(UInt8(ascii: "0"))
                appendReserved(hexDigits.utf8Start[Int(byte >> 4)])
                appendReserved(hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
        append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        append(UInt8(ascii: "\""))
    }
}
