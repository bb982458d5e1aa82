import Foundation

/// Dates in event bodies, quoted, straight to and from bytes through `Timestamp`'s byte
/// functions (no String or Array per date).
enum EventJSONTimestamp {
    /// Appends `"<Timestamp.format(date)>"`, quotes included.
    static func appendQuoted(_ date: Date, to output: inout EventJSONByteBuffer) {
        let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text -> Bool in
            guard Timestamp.writeUTC(date, into: text) else { return false }
            output.appendQuoted(UnsafeBufferPointer(text))
            return true
        }
        if !written {
            var text = Timestamp.format(date)
            text.withUTF8 { output.appendQuoted($0) }
        }
    }

    /// The date of `YYYY-MM-DDTHH:MM:SS[.f...]Z`; nil for other text (which `Timestamp.parse`
    /// may still accept, e.g. with an offset).
    static func parseUTC(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        Timestamp.parseUTC(bytes)
    }
}
