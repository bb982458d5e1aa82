import Foundation

/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text: line breaks become CRLF, bytes
/// outside printable ASCII and `=` become `=XX`, white space before a line end is encoded, and
/// soft line breaks keep every line within 76 characters.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalised.split(separator: "\n", omittingEmptySubsequences: false).map(encodeLine).joined(separator: "\r\n")
    }

    private static let hex = Array("0123456789ABCDEF")

    private static func encodeLine(_ line: Substring) -> String {
        let bytes = Array(line.utf8)
        var output = ""
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            case 32, 9: literal = !isLast  // trailing white space would be stripped in transit
            case 33...60, 62...126: literal = true
            default: literal = false
            }
            // A leading "." is fine: libcurl dot-stuffs the DATA itself.
            let piece = literal ? String(UnicodeScalar(byte)) : "=\(hex[Int(byte >> 4)])\(hex[Int(byte & 0x0F)])"
            // Keep room for the "=" of a soft line break.
            if lineLength + piece.count > 75 {
                output += "=\r\n"
                lineLength = 0
            }
            output += piece
            lineLength += piece.count
        }
        return output
    }

    /// FNV-1a of `text`, hex: a stable, short token (not for security).
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
