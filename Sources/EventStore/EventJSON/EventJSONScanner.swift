/// Checks a JSON document byte by byte (RFC 8259, strictly: no trailing commas, no comments,
/// no leading zeros, no unescaped control characters, no lone surrogates, UTF-8 only) and lays
/// it out as `EventJSONNode`s. Every string is validated here, once, so decoding a string later
/// is a copy (or an unescape) that cannot fail.
struct EventJSONScanner {
    private let bytes: UnsafePointer<UInt8>
    private let count: Int
    private var position = 0
    private(set) var nodes: [EventJSONNode] = []
    private let maximumDepth: Int

    private init(bytes: UnsafePointer<UInt8>, count: Int, maximumDepth: Int) {
        self.bytes = bytes
        self.count = count
        self.maximumDepth = maximumDepth
        // A node per ~12 bytes covers typical event bodies without growing.
        nodes.reserveCapacity(count / 12 + 4)
    }

    /// The nodes of the one value in `buffer`; whitespace around it is allowed, anything else
    /// is not.
    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, maximumDepth: Int) throws -> [EventJSONNode] {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: it is empty."))
        }
        guard buffer.count < Int(Int32.max) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data is too large (2 GiB or more) to decode."))
        }
        var scanner = EventJSONScanner(bytes: base, count: buffer.count, maximumDepth: maximumDepth)
        try scanner.scanValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.position == scanner.count else {
            throw scanner.invalid("unexpected \(scanner.describeByte(at: scanner.position)) after the end of the top-level value")
        }
        return scanner.nodes
    }

    // MARK: Values

    private mutating func scanValue(depth: Int) throws {
        skipWhitespace()
        switch byte(at: position) {
        case UInt8(ascii: "\""): try scanString()
        case UInt8(ascii: "{"): try scanObject(depth: depth + 1)
        case UInt8(ascii: "["): try scanArray(depth: depth + 1)
        case UInt8(ascii: "t"): try scanLiteral("true", as: .trueValue)
        case UInt8(ascii: "f"): try scanLiteral("false", as: .falseValue)
        case UInt8(ascii: "n"): try scanLiteral("null", as: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw invalid("expected a value but found \(describeByte(at: position))")
        }
    }

    private mutating func scanObject(depth: Int) throws {
        guard depth <= maximumDepth else { throw invalid("objects and arrays are nested deeper than \(maximumDepth) levels") }
        let index = nodes.count
        nodes.append(EventJSONNode(kind: .object, flags: 0, start: 0, end: 0))
        position += 1
        var members: Int32 = 0
        skipWhitespace()
        if byte(at: position) == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard byte(at: position) == UInt8(ascii: "\"") else {
                    throw invalid("expected a quoted key but found \(describeByte(at: position))")
                }
                try scanString()
                skipWhitespace()
                guard byte(at: position) == UInt8(ascii: ":") else {
                    throw invalid("expected ':' after an object key but found \(describeByte(at: position))")
                }
                position += 1
                try scanValue(depth: depth)
                members += 1
                skipWhitespace()
                let separator = byte(at: position)
                position += 1
                if separator == UInt8(ascii: ",") { continue }
                if separator == UInt8(ascii: "}") { break }
                position -= 1
                throw invalid("expected ',' or '}' in an object but found \(describeByte(at: position))")
            }
        }
        nodes[index].start = members
        nodes[index].end = Int32(nodes.count)
    }

    private mutating func scanArray(depth: Int) throws {
        guard depth <= maximumDepth else { throw invalid("objects and arrays are nested deeper than \(maximumDepth) levels") }
        let index = nodes.count
        nodes.append(EventJSONNode(kind: .array, flags: 0, start: 0, end: 0))
        position += 1
        var elements: Int32 = 0
        skipWhitespace()
        if byte(at: position) == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try scanValue(depth: depth)
                elements += 1
                skipWhitespace()
                let separator = byte(at: position)
                position += 1
                if separator == UInt8(ascii: ",") { continue }
                if separator == UInt8(ascii: "]") { break }
                position -= 1
                throw invalid("expected ',' or ']' in an array but found \(describeByte(at: position))")
            }
        }
        nodes[index].start = elements
        nodes[index].end = Int32(nodes.count)
    }

    private mutating func scanLiteral(_ literal: StaticString, as kind: EventJSONNode.Kind) throws {
        let length = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        for offset in 0..<length where byte(at: position + offset) != text[offset] {
            throw invalid("expected '\(literal)' but found \(describeByte(at: position + offset))")
        }
        nodes.append(EventJSONNode(kind: kind, flags: 0, start: Int32(position), end: Int32(position + length)))
        position += length
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; the value is computed when asked for.
    private mutating func scanNumber() throws {
        let start = position
        var index = position
        var flags: UInt8 = 0
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        if byte(at: index) == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(byte(at: index)) {
            while isDigit(byte(at: index)) { index += 1 }
        } else {
            position = index
            throw invalid("expected a digit in a number but found \(describeByte(at: index))")
        }
        if byte(at: index) == UInt8(ascii: ".") {
            flags = EventJSONNode.notInteger
            index += 1
            guard isDigit(byte(at: index)) else {
                position = index
                throw invalid("expected a digit after the decimal point but found \(describeByte(at: index))")
            }
            while isDigit(byte(at: index)) { index += 1 }
        }
        if byte(at: index) == UInt8(ascii: "e") || byte(at: index) == UInt8(ascii: "E") {
            flags = EventJSONNode.notInteger
            index += 1
            if byte(at: index) == UInt8(ascii: "+") || byte(at: index) == UInt8(ascii: "-") { index += 1 }
            guard isDigit(byte(at: index)) else {
                position = index
                throw invalid("expected a digit in an exponent but found \(describeByte(at: index))")
            }
            while isDigit(byte(at: index)) { index += 1 }
        }
        nodes.append(EventJSONNode(kind: .number, flags: flags, start: Int32(start), end: Int32(index)))
        position = index
    }

    // MARK: Strings

    private mutating func scanString() throws {
        let start = position + 1
        var index = start
        var flags: UInt8 = 0
        var sawNonASCII = false
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control character or
            // non-ASCII (SWAR: each test sets a byte's top bit where it matches).
            while index &+ 8 <= count {
                let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let highs: UInt64 = 0x8080_8080_8080_8080
                let quotes = word ^ (ones &* 0x22)
                let backslashes = word ^ (ones &* 0x5C)
                let special = ((word &- ones &* 0x20) | (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | word) & highs
                guard special == 0 else {
                    // The lowest flagged byte is a real match (false positives only sit above
                    // one), so skip straight to it.
                    index &+= special.trailingZeroBitCount >> 3
                    break
                }
                index &+= 8
            }
            guard index < count else {
                position = index
                throw invalid("a string that starts at byte \(start - 1) never ends")
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                flags = EventJSONNode.hasEscapes
                index = try scanEscape(at: index)
            } else if byte < 0x20 {
                position = index
                throw invalid("control character \(describeByte(at: index)) must be escaped in a string")
            } else {
                if byte >= 0x80 { sawNonASCII = true }
                index += 1
            }
        }
        if sawNonASCII { try validateUTF8(from: start, to: index) }
        nodes.append(EventJSONNode(kind: .string, flags: flags, start: Int32(start), end: Int32(index)))
        position = index + 1
    }

    /// Checks the escape sequence at `index` (a backslash) and returns the index after it.
    private mutating func scanEscape(at index: Int) throws -> Int {
        switch byte(at: index + 1) {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            let unit = try hexUnit(at: index + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                position = index
                throw invalid("\\u\(hex(unit)) is a lone low surrogate")
            }
            guard unit >= 0xD800 && unit <= 0xDBFF else { return index + 6 }
            guard byte(at: index + 6) == UInt8(ascii: "\\"), byte(at: index + 7) == UInt8(ascii: "u") else {
                position = index
                throw invalid("\\u\(hex(unit)) is a high surrogate without a low surrogate after it")
            }
            let low = try hexUnit(at: index + 8)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                position = index
                throw invalid("\\u\(hex(unit)) is a high surrogate followed by \\u\(hex(low)) instead of a low surrogate")
            }
            return index + 12
        default:
            position = index
            throw invalid("\(describeByte(at: index + 1)) after a backslash is not an escape sequence")
        }
    }

    private mutating func hexUnit(at index: Int) throws -> UInt16 {
        var unit: UInt16 = 0
        for offset in 0..<4 {
            guard let digit = EventJSONScanner.hexValue(byte(at: index + offset)) else {
                position = index + offset
                throw invalid("expected four hex digits after \\u but found \(describeByte(at: index + offset))")
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Well-formed UTF-8 (Unicode 3.9, table 3-7): no overlong forms, no surrogates, nothing
    /// above U+10FFFF. The closing quote stops every truncated sequence, so no read passes `end`.
    private mutating func validateUTF8(from start: Int, to end: Int) throws {
        var index = start
        func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let valid: Bool
            let length: Int
            switch lead {
            case 0xC2...0xDF:
                length = 2
                valid = isContinuation(bytes[index + 1])
            case 0xE0...0xEF:
                length = 3
                let second = bytes[index + 1]
                let secondValid = switch lead {
                case 0xE0: second >= 0xA0 && second <= 0xBF
                case 0xED: second >= 0x80 && second <= 0x9F
                default: isContinuation(second)
                }
                valid = secondValid && isContinuation(bytes[index + 2])
            case 0xF0...0xF4:
                length = 4
                let second = bytes[index + 1]
                let secondValid = switch lead {
                case 0xF0: second >= 0x90 && second <= 0xBF
                case 0xF4: second >= 0x80 && second <= 0x8F
                default: isContinuation(second)
                }
                valid = secondValid && isContinuation(bytes[index + 2]) && isContinuation(bytes[index + 3])
            default:
                length = 1
                valid = false
            }
            guard valid else {
                position = index
                throw invalid("a string holds invalid UTF-8 (byte 0x\(hex(UInt16(lead))))")
            }
            index += length
        }
    }

    // MARK: Bytes

    /// The byte at `index`, or 0 past the end: 0 is invalid wherever a byte is looked at, so
    /// the end needs no separate check on every path.
    @inline(__always)
    private func byte(at index: Int) -> UInt8 { index < count ? bytes[index] : 0 }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func skipWhitespace() {
        while position < count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private func describeByte(at index: Int) -> String {
        guard index < count else { return "the end of the data" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hex(UInt16(byte)))"
    }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, (value > 0xFF ? 4 : 2) - digits.count)) + digits
    }

    private func invalid(_ problem: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(problem) (at byte \(position))."))
    }
}
