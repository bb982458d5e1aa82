import Foundation
import JWTKit

/// The dev issuer's private key: ES256 (made fresh by `generate()`) or RS256 (from an RSA PEM,
/// e.g. one made with `openssl genpkey -algorithm RSA`), with the kid and public JWK that go
/// with it.
public struct DevSigningKey: Sendable {
    public let algorithm: TokenAlgorithm
    /// Derived from the public key, so the same PEM always publishes under the same kid.
    public let kid: String
    /// The private key, PKCS#8 PEM: what `DevIssuer` saves to keep tokens valid across restarts.
    public let pemRepresentation: String
    /// The public half as a JWKS entry.
    let publicJWK: [String: String]
    private let signer: any JWTAlgorithm

    /// A new ES256 (P-256) key.
    public static func generate() async -> DevSigningKey {
        // ES256PrivateKey() cannot fail; the PEM it writes is always readable back.
        try! await ecdsa(ES256PrivateKey())
    }

    /// Reads a P-256 or RSA private key in PEM.
    public static func load(pem: String) async throws(DevIssuerError) -> DevSigningKey {
        if let key = try? ES256PrivateKey(pem: pem) {
            do { return try await ecdsa(key) } catch { throw DevIssuerError("the EC key cannot be used: \(error)") }
        }
        if let key = try? Insecure.RSA.PrivateKey(pem: pem) {
            do { return try await rsa(key) } catch { throw DevIssuerError("the RSA key cannot be used: \(error)") }
        }
        throw DevIssuerError("not a P-256 or RSA private key in PEM")
    }

    private static func ecdsa(_ key: ES256PrivateKey) async throws -> DevSigningKey {
        guard let (x, y) = key.parameters else { throw DevIssuerError("the EC key has no public coordinates") }
        let kid = "dev-es256-" + x.suffix(12)
        let signer = try await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid)).getKey(for: JWKIdentifier(string: kid))
        return DevSigningKey(
            algorithm: .es256,
            kid: kid,
            pemRepresentation: key.pemRepresentation,
            publicJWK: ["kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "alg": "ES256", "use": "sig"],
            signer: signer
        )
    }

    private static func rsa(_ key: Insecure.RSA.PrivateKey) async throws -> DevSigningKey {
        let primitives = try key.publicKey.getKeyPrimitives()
        let n = Base64URL.encode(primitives.modulus)
        let e = Base64URL.encode(primitives.publicExponent)
        let kid = "dev-rs256-" + n.suffix(12)
        let signer = try await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid)).getKey(for: JWKIdentifier(string: kid))
        return DevSigningKey(
            algorithm: .rs256,
            kid: kid,
            pemRepresentation: key.pemRepresentation,
            publicJWK: ["kty": "RSA", "n": n, "e": e, "kid": kid, "alg": "RS256", "use": "sig"],
            signer: signer
        )
    }

    /// Signs `header.payload` and returns the signature bytes (raw r||s for ES256).
    func sign(_ signingInput: String) throws(DevIssuerError) -> Data {
        do {
            return Data(try signer.sign(Array(signingInput.utf8)))
        } catch {
            throw DevIssuerError("signing with \(kid) failed: \(error)")
        }
    }
}
