/// The JWS algorithms a token may be signed with: asymmetric ones only, so the published key
/// can only verify, never sign. `none` and HS* are refused by name before any key is looked at
/// (an HS256 token "signed" with the issuer's public key is the classic confusion attack).
public enum TokenAlgorithm: String, Sendable, CaseIterable, Hashable {
    /// RSA PKCS#1 v1.5 with SHA-256: what Entra ID signs with.
    case rs256 = "RS256"
    /// ECDSA P-256 with SHA-256: what the dev issuer signs with by default.
    case es256 = "ES256"

    /// The JWK key type (`kty`) a key must have to verify this algorithm.
    var keyType: String {
        switch self {
        case .rs256: "RSA"
        case .es256: "EC"
        }
    }
}
