/// Why a bearer token was not accepted. Every kind is a 401 for the web layer; `message` is one
/// line a person can act on (it never repeats the token).
public struct TokenVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// No token was presented.
        case missingToken
        /// Not a compact JWS, or its header or claims are not the JSON they must be.
        case malformed
        /// The signature does not verify, or the algorithm is not one accepted (`none`, HS*)
        /// or not the one the key is for.
        case badSignature
        /// `exp` (plus leeway) has passed.
        case expired
        /// `nbf` (minus leeway) is still in the future.
        case notYetValid
        case wrongIssuer
        case wrongAudience
        /// The token names a key (`kid`) the issuer does not publish, even after a refresh.
        case unknownKey
        /// The discovery document or JWKS could not be fetched or read.
        case issuerUnreachable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message.oneLine
    }

    public static let httpStatus = 401

    /// For the `WWW-Authenticate` header of the 401 (RFC 6750 §3): `invalid_request` when no
    /// usable token was sent at all, else `invalid_token`.
    public var bearerErrorCode: String {
        kind == .missingToken ? "invalid_request" : "invalid_token"
    }

    /// The `WWW-Authenticate` header value for the 401. The description is reduced to the
    /// characters RFC 6750 §3 allows in it (printable ASCII without `"` and `\`).
    public func wwwAuthenticate(realm: String = "almanac") -> String {
        let description = String(String.UnicodeScalarView(message.unicodeScalars.compactMap { scalar in
            switch scalar {
            case "\"": "'"
            case "\\": nil
            case " "..."~": scalar
            default: nil
            }
        }))
        return #"Bearer realm="\#(realm)", error="\#(bearerErrorCode)", error_description="\#(description)""#
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

extension String {
    /// Control characters (a server's text may carry CR/LF) folded into spaces.
    var oneLine: String {
        String(unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }
}
