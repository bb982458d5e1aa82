import Foundation
import JWTKit

/// A JWKS entry as published, every field optional: keys Almanac cannot use (encryption keys,
/// other curves, unknown types) are skipped one by one instead of failing the whole set.
struct JSONWebKey: Decodable, Sendable {
    var kty: String?
    var kid: String?
    var alg: String?
    var use: String?
    var crv: String?
    var n: String?
    var e: String?
    var x: String?
    var y: String?

    /// The key this entry describes, or why it is skipped.
    func verificationKey() async -> Result<VerificationKey, SkippedKey> {
        guard let kid, !kid.isEmpty else { return .failure(SkippedKey(kid: nil, reason: "it has no kid")) }
        if let use, use != "sig" { return .failure(SkippedKey(kid: kid, reason: "its use is \(use), not sig")) }
        let algorithm: TokenAlgorithm
        switch kty {
        case "RSA": algorithm = .rs256
        case "EC": algorithm = .es256
        default: return .failure(SkippedKey(kid: kid, reason: "its key type \(kty ?? "(none)") is not RSA or EC"))
        }
        if let alg, alg != algorithm.rawValue {
            return .failure(SkippedKey(kid: kid, reason: "its algorithm \(alg) is not one Almanac accepts"))
        }
        let keys = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid)
        do {
            switch algorithm {
            case .rs256:
                guard let n, let e else { return .failure(SkippedKey(kid: kid, reason: "it lacks n or e")) }
                await keys.add(rsa: try Insecure.RSA.PublicKey(modulus: n, exponent: e), digestAlgorithm: .sha256, kid: identifier)
            case .es256:
                guard crv == "P-256" else { return .failure(SkippedKey(kid: kid, reason: "its curve \(crv ?? "(none)") is not P-256")) }
                guard let x, let y else { return .failure(SkippedKey(kid: kid, reason: "it lacks x or y")) }
                await keys.add(ecdsa: try ES256PublicKey(parameters: (x, y)), kid: identifier)
            }
            let verifier = try await keys.getKey(for: identifier)
            return .success(VerificationKey(kid: kid, algorithm: algorithm, verifier: verifier))
        } catch {
            return .failure(SkippedKey(kid: kid, reason: "its key material is invalid (\(error))"))
        }
    }
}

struct SkippedKey: Error, Sendable {
    var kid: String?
    var reason: String
}

struct JSONWebKeySet: Decodable, Sendable {
    var keys: [LenientKey]

    /// Decodes one entry, or keeps nil when it is not even an object of strings.
    struct LenientKey: Decodable, Sendable {
        var key: JSONWebKey?
        init(from decoder: any Decoder) throws {
            key = try? JSONWebKey(from: decoder)
        }
    }
}
