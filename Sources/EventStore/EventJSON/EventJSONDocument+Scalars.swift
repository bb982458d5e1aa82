import Foundation

/// Conversions of scanned scalars to Swift values. The scanner has already checked the
/// syntax, so these only check ranges and kinds.
extension EventJSONDocument {
    func decodeNil(at index: Int32) -> Bool { nodes[Int(index)].kind == .null }

    func decodeBool(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        switch nodes[Int(index)].kind {
        case .trueValue: return true
        case .falseValue: return false
        default: throw mismatch(Bool.self, at: index, codingPath())
        }
    }

    func decodeString(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        let node = nodes[Int(index)]
        guard node.kind == .string else { throw mismatch(String.self, at: index, codingPath()) }
        return string(of: node)
    }

    /// The value of a string node (the scanner validated its UTF-8 and escapes).
    func string(of node: EventJSONNode) -> String {
        let start = bytes + Int(node.start)
        let length = Int(node.end - node.start)
        if node.flags & EventJSONNode.hasEscapes == 0 {
            return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
        }
        // Unescaping never makes a string longer.
        return String(unsafeUninitializedCapacity: length) { output in
            EventJSONDocument.unescape(UnsafeBufferPointer(start: start, count: length), into: output)
        }
    }

    /// Writes the unescaped bytes of a validated string body; returns how many.
    static func unescape(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var read = 0
        var written = 0
        func put(_ byte: UInt8) {
            output[written] = byte
            written += 1
        }
        func hexUnit(_ at: Int) -> UInt32 {
            var unit: UInt32 = 0
            for offset in 0..<4 { unit = unit << 4 | UInt32(EventJSONScanner.hexValue(input[at + offset]) ?? 0) }
            return unit
        }
        while read < input.count {
            let byte = input[read]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                read += 1
                continue
            }
            let escaped = input[read + 1]
            read += 2
            switch escaped {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexUnit(read)
                read += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // The scanner made sure a low surrogate follows.
                    let low = hexUnit(read + 2)
                    read += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                for unit in UTF8.encode(Unicode.Scalar(scalar)!)! { put(unit) }
            default: put(escaped)  // \" \\ \/
            }
        }
        return written
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        let node = nodes[Int(index)]
        guard node.kind == .number else { throw mismatch(T.self, at: index, codingPath()) }
        if node.flags & EventJSONNode.notInteger == 0 {
            var position = Int(node.start)
            let end = Int(node.end)
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var magnitude: UInt64 = 0
            var overflow = false
            while position < end {
                let (times10, overflowMultiplying) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflowAdding) = times10.addingReportingOverflow(UInt64(bytes[position] &- UInt8(ascii: "0")))
                magnitude = sum
                overflow = overflow || overflowMultiplying || overflowAdding
                position += 1
            }
            if !overflow {
                if !negative, let value = T(exactly: magnitude) { return value }
                if negative, magnitude <= UInt64(1) << 63,
                   let value = T(exactly: magnitude == UInt64(1) << 63 ? Int64.min : -Int64(magnitude)) {
                    return value
                }
            }
        } else if let double = Double(text(of: index)), double.isFinite, let value = T(exactly: double) {
            // 1.0 and 1e2 are integers to Foundation too; 1.5 is not.
            return value
        }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Number \(text(of: index)) does not fit in \(T.self)."))
    }

    func decodeDouble(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        let node = nodes[Int(index)]
        guard node.kind == .number else { throw mismatch(Double.self, at: index, codingPath()) }
        if let value = fastDouble(node) { return value }
        guard let value = Double(text(of: index)), value.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Number \(text(of: index)) does not fit in Double."))
        }
        return value
    }

    func decodeFloat(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Float {
        let node = nodes[Int(index)]
        guard node.kind == .number else { throw mismatch(Float.self, at: index, codingPath()) }
        // Parsed as Float directly: going through Double would round twice.
        guard let value = Float(text(of: index)), value.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Number \(text(of: index)) does not fit in Float."))
        }
        return value
    }

    /// Clinger's fast path: a mantissa below 2^53 times a power of ten up to 10^22 is exact in
    /// a Double, so one multiplication or division rounds correctly. Anything else → nil.
    private func fastDouble(_ node: EventJSONNode) -> Double? {
        var position = Int(node.start)
        let end = Int(node.end)
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while position < end, bytes[position] &- UInt8(ascii: "0") < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[position] &- UInt8(ascii: "0"))
            digits += 1
            position += 1
        }
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < end, bytes[position] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[position] &- UInt8(ascii: "0"))
                digits += 1
                exponent -= 1
                position += 1
            }
        }
        if position < end {  // an exponent
            position += 1
            var exponentNegative = false
            if bytes[position] == UInt8(ascii: "-") { exponentNegative = true; position += 1 }
            else if bytes[position] == UInt8(ascii: "+") { position += 1 }
            var written = 0
            while position < end {
                written = written * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
                if written > 400 { return nil }
                position += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard digits <= 19, mantissa <= UInt64(1) << 53, exponent >= -22, exponent <= 22 else { return nil }
        var value = Double(mantissa)
        if exponent < 0 { value /= EventJSONDocument.powersOfTen[-exponent] } else { value *= EventJSONDocument.powersOfTen[exponent] }
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    // MARK: Types Foundation's JSON coders treat specially

    /// The event-store convention, as `EventCoding.decoder` has it.
    func decodeDate(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Date {
        let node = nodes[Int(index)]
        if node.kind == .string, node.flags & EventJSONNode.hasEscapes == 0,
           let date = EventJSONTimestamp.parseUTC(UnsafeBufferPointer(start: bytes + Int(node.start), count: Int(node.end - node.start))) {
            return date
        }
        let text = try decodeString(at: index, codingPath())
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "not an RFC 3339 date: \(text)"))
        }
        return date
    }

    func decodeData(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Data {
        let text = try decodeString(at: index, codingPath())
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    func decodeURL(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> URL {
        let text = try decodeString(at: index, codingPath())
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Invalid URL string: \(text)"))
        }
        return url
    }

    func decodeDecimal(at index: Int32, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Decimal {
        guard nodes[Int(index)].kind == .number else { throw mismatch(Decimal.self, at: index, codingPath()) }
        guard let decimal = Decimal(string: text(of: index), locale: Locale(identifier: "en_US_POSIX")) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "Number \(text(of: index)) does not fit in Decimal."))
        }
        return decimal
    }
}
