import Foundation

/// Base64url without padding (RFC 7515 §2), the encoding of every part of a compact JWS and of
/// JWK key material.
enum Base64URL {
    static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// nil when `text` holds anything but the base64url alphabet (padding is tolerated, since
    /// some issuers pad key material even though the RFC says not to).
    static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = String(text)
        while base64.hasSuffix("=") { base64.removeLast() }
        guard base64.utf8.allSatisfy({ isAlphabet($0) }) else { return nil }
        base64 = base64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        // A remainder of 1 character cannot come from any byte sequence.
        guard base64.count % 4 != 1 else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
