import Foundation

/// Writes rows in COPY's text format: columns separated by tab, rows ended by newline, NULL as
/// `\N`, and in values a backslash, tab, newline or carriage return escaped as `\\`, `\t`, `\n`,
/// `\r` (the COPY manual, "Text Format"). Bytes are UTF-8; any Unicode text passes unchanged.
///
/// Rows are written whole (`append(_:)`) or field by field (`text`, `integer`, `timestamp`,
/// `null`, then `endRow`), the latter for bulk writers that would otherwise build a `String`
/// per value only to copy its bytes here.
public struct CopyTextEncoder {
    private(set) var buffer: [UInt8] = []
    public private(set) var rowCount = 0
    /// Fields written in the current row.
    private var fieldCount = 0

    init(capacity: Int = 0) { buffer.reserveCapacity(capacity) }

    var isEmpty: Bool { buffer.isEmpty }

    /// Appends one row. Throws for a NUL character, which PostgreSQL text cannot hold.
    mutating func append(_ row: [String?]) throws {
        for value in row { try text(value) }
        endRow()
    }

    /// The next field: text (escaped), or NULL for nil.
    public mutating func text(_ value: String?) throws {
        guard let value else { return null() }
        try text(utf8: value.utf8)
    }

    /// The next field: text given as UTF-8 bytes (escaped).
    public mutating func text(utf8: some Sequence<UInt8>) throws {
        separate()
        for byte in utf8 {
            switch byte {
            case 0x5C: buffer.append(0x5C); buffer.append(0x5C)  // \ -> \\
            case 0x09: buffer.append(0x5C); buffer.append(0x74)  // tab -> \t
            case 0x0A: buffer.append(0x5C); buffer.append(0x6E)  // newline -> \n
            case 0x0D: buffer.append(0x5C); buffer.append(0x72)  // CR -> \r
            case 0x00:
                throw PostgresClientError(
                    .invalidArgument, "COPY row \(rowCount + 1), column \(fieldCount) contains a NUL character, which PostgreSQL text cannot store")
            default: buffer.append(byte)
            }
        }
    }

    /// The next field: text given as UTF-8 bytes in a buffer (escaped); copied whole when it
    /// holds nothing to escape, the usual case for ids.
    public mutating func text(utf8 bytes: UnsafeRawBufferPointer) throws {
        if bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) {
            return try text(utf8: bytes.lazy.map { $0 })
        }
        separate()
        buffer.append(contentsOf: bytes)
    }

    /// The next field: NULL.
    public mutating func null() {
        separate()
        buffer.append(0x5C)  // \N
        buffer.append(0x4E)
    }

    /// The next field: an integer in decimal.
    public mutating func integer(_ value: Int64) {
        separate()
        buffer.append(contentsOf: String(value).utf8)  // at most 20 bytes: a small string, not allocated
    }

    /// The next field: a timestamptz as `YYYY-MM-DD HH:MM:SS.ffffff+00` (what
    /// `Date.postgresText` gives), or NULL for nil.
    public mutating func timestamp(_ date: Date?) {
        guard let date else { return null() }
        separate()
        PostgresTimestamp.write(date, into: &buffer)
    }

    /// Ends the row.
    public mutating func endRow() {
        buffer.append(0x0A)
        rowCount += 1
        fieldCount = 0
    }

    private mutating func separate() {
        if fieldCount > 0 { buffer.append(0x09) }
        fieldCount += 1
    }

    /// Hands over the bytes written so far and starts a new chunk.
    mutating func takeChunk() -> [UInt8] {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }
}
