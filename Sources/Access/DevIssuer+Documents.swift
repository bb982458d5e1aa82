import Foundation

extension DevIssuer {
    private struct DiscoveryDocument: Encodable {
        var issuer: String
        var jwks_uri: String
        var authorization_endpoint: String
        var response_types_supported: [String]
        var subject_types_supported: [String]
        var id_token_signing_alg_values_supported: [String]
        var claims_supported: [String]
    }

    /// The body of `GET /.well-known/openid-configuration`.
    public func discoveryDocumentJSON() -> Data {
        let document = DiscoveryDocument(
            issuer: issuer,
            jwks_uri: issuer + Self.jwksPath,
            authorization_endpoint: issuer + Self.loginPath,
            response_types_supported: ["id_token", "token"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: [signingKey.algorithm.rawValue],
            claims_supported: ["iss", "sub", "aud", "exp", "nbf", "iat", "name", "email", "roles", "groups"]
        )
        return Self.json(document)
    }

    /// The body of `GET /jwks.json`: this issuer's public key.
    public func jwksJSON() -> Data {
        Self.jwksJSON(publishing: [signingKey])
    }

    /// A JWKS publishing several keys, as an issuer does while rotating from one to the next.
    public static func jwksJSON(publishing keys: [DevSigningKey]) -> Data {
        json(["keys": keys.map(\.publicJWK)])
    }

    static func json(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings cannot fail.
        return try! encoder.encode(value)
    }
}
