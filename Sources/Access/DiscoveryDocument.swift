/// The part of an OpenID Provider's discovery document the verifier needs.
struct DiscoveryDocument: Decodable, Sendable {
    var issuer: String
    var jwks_uri: String
}
