/// Writes rows in COPY's text format: columns separated by tab, rows ended by newline, NULL as
/// `\N`, and in values a backslash, tab, newline or carriage return escaped as `\\`, `\t`, `\n`,
/// `\r` (the COPY manual, "Text Format"). Bytes are UTF-8; any Unicode text passes unchanged.
struct CopyTextEncoder {
    private(set) var buffer: [UInt8] = []
    private(set) var rowCount = 0

    init(capacity: Int = 0) { buffer.reserveCapacity(capacity) }

    var isEmpty: Bool { buffer.isEmpty }

    /// Appends one row. Throws for a NUL character, which PostgreSQL text cannot hold.
    mutating func append(_ row: [String?]) throws {
        rowCount += 1
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let value else {
                buffer.append(0x5C)  // \N
                buffer.append(0x4E)
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case 0x5C: buffer.append(0x5C); buffer.append(0x5C)  // \ -> \\
                case 0x09: buffer.append(0x5C); buffer.append(0x74)  // tab -> \t
                case 0x0A: buffer.append(0x5C); buffer.append(0x6E)  // newline -> \n
                case 0x0D: buffer.append(0x5C); buffer.append(0x72)  // CR -> \r
                case 0x00:
                    throw PostgresClientError(
                        .invalidArgument, "COPY row \(rowCount), column \(index + 1) contains a NUL character, which PostgreSQL text cannot store")
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
    }

    /// Hands over the bytes written so far and starts a new chunk.
    mutating func takeChunk() -> [UInt8] {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }
}
