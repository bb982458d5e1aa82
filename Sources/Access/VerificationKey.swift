import Foundation
import JWTKit

/// One public key from the issuer's JWKS, ready to check signatures of one algorithm.
struct VerificationKey: Sendable {
    let kid: String
    let algorithm: TokenAlgorithm
    let verifier: any JWTAlgorithm

    func verifies(_ signature: Data, of signingInput: String) -> Bool {
        // jwt-kit throws rather than answering false for a signature of the wrong shape (an
        // ECDSA signature that is not 64 bytes): that is a bad signature all the same.
        (try? verifier.verify(signature, signs: Array(signingInput.utf8))) ?? false
    }
}
