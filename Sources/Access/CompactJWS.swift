import Foundation

/// A token split into its three parts, with the header read. Nothing here is trusted yet: this
/// only establishes that the text has the shape of a signed JWT.
struct CompactJWS: Sendable {
    struct Header: Decodable, Sendable {
        var alg: String?
        var kid: String?
        var typ: String?
        /// Extensions the signer says must be understood; Almanac understands none (RFC 7515 §4.1.11).
        var crit: [String]?
    }

    let header: Header
    /// The decoded claims bytes (JSON, still unverified).
    let payload: Data
    let signature: Data
    /// `header.payload` as sent: what the signature covers.
    let signingInput: String

    /// A JWT is far smaller than this; anything larger is refused before decoding.
    static let maximumLength = 16 * 1024

    init(_ token: String) throws(TokenVerificationError) {
        guard token.utf8.count <= Self.maximumLength else {
            throw TokenVerificationError(.malformed, "the token is \(token.utf8.count) bytes long; at most \(Self.maximumLength) are accepted")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw TokenVerificationError(.malformed, "the token is not a signed JWT: it has \(parts.count) dot-separated parts, not 3")
        }
        guard let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw TokenVerificationError(.malformed, "the token's parts are not base64url")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: headerBytes)
        } catch {
            throw TokenVerificationError(.malformed, "the token's header is not a JSON object with string fields alg, kid, typ")
        }
        if let crit = header.crit {
            throw TokenVerificationError(.malformed, "the token requires header extensions Almanac does not support: \(crit.joined(separator: ", "))")
        }
        self.header = header
        self.payload = payload
        self.signature = signature
        self.signingInput = "\(parts[0]).\(parts[1])"
    }
}
