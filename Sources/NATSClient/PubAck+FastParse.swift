/// A PubAck is a small flat JSON object (`{"stream":"X","seq":5,"duplicate":true}`) answered for
/// every append; Foundation's JSONDecoder spent several microseconds on each. This scanner
/// reads exactly that shape and gives up (returns nil) on anything else, which then goes
/// through JSONDecoder as before — errors, nested values, escapes.
extension PubAck {
    static func parseFlat(_ payload: [UInt8]) -> PubAck? {
        var stream: String?
        var seq: UInt64?
        var duplicate: Bool?
        var domain: String?
        var batch: String?
        var count: Int?
        return payload.withUnsafeBufferPointer { bytes -> PubAck? in
            var index = 0
            func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 } }
            func expect(_ byte: UInt8) -> Bool {
                skipSpace()
                guard index < bytes.count, bytes[index] == byte else { return false }
                index += 1
                return true
            }
            /// A string without escapes (stream names, ids); nil if it has any.
            func string() -> String? {
                guard expect(0x22) else { return nil }
                let start = index
                while index < bytes.count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            func number() -> UInt64? {
                skipSpace()
                var value: UInt64 = 0
                let start = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                    let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                    if overflow1 || overflow2 { return nil }
                    value = sum
                    index += 1
                }
                return index > start ? value : nil
            }
            func boolean() -> Bool? {
                skipSpace()
                if bytes.count - index >= 4, bytes[index] == 0x74, bytes[index + 1] == 0x72, bytes[index + 2] == 0x75, bytes[index + 3] == 0x65 { index += 4; return true }
                if bytes.count - index >= 5, bytes[index] == 0x66, bytes[index + 1] == 0x61, bytes[index + 2] == 0x6C, bytes[index + 3] == 0x73, bytes[index + 4] == 0x65 { index += 5; return false }
                return nil
            }
            guard expect(0x7B) else { return nil }
            skipSpace()
            if index < bytes.count, bytes[index] == 0x7D { return nil }
            while true {
                guard let key = string(), expect(0x3A) else { return nil }
                switch key {
                case "stream": guard let value = string() else { return nil }; stream = value
                case "seq": guard let value = number() else { return nil }; seq = value
                case "duplicate": guard let value = boolean() else { return nil }; duplicate = value
                case "domain": guard let value = string() else { return nil }; domain = value
                case "batch": guard let value = string() else { return nil }; batch = value
                case "count": guard let value = number(), value <= UInt64(Int.max) else { return nil }; count = Int(value)
                default: return nil
                }
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == 0x2C { index += 1; continue }
                if bytes[index] == 0x7D { index += 1; break }
                return nil
            }
            skipSpace()
            guard index == bytes.count, let stream, let seq else { return nil }
            return PubAck(stream: stream, seq: seq, duplicate: duplicate, domain: domain, batch: batch, count: count)
        }
    }
}
