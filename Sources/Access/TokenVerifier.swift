import Foundation
import HTTPClient
import Logging

/// Verifies OIDC bearer tokens (JWTs) from one issuer and says who they speak for.
///
/// The order of checks keeps untrusted content from steering anything: shape and header
/// first, then the algorithm by name (asymmetric only), then the key by kid from the issuer's
/// JWKS, then the signature; only a token whose signature verifies has its claims (`iss`,
/// `aud`, `exp`, `nbf`) looked at. Create one per issuer and keep it: it caches the keys.
public final class TokenVerifier: Sendable {
    public let configuration: TokenVerifierConfiguration
    private let keySet: IssuerKeySet
    /// Tokens that verified before: a repeated token skips the signature check (see
    /// `VerifiedTokenCache` for what bounds the trust).
    let verified: VerifiedTokenCache
    /// The time claims are checked against; tests move it.
    let now: @Sendable () -> Date

    /// `http` fetches the discovery document and JWKS (an `HTTPClient` in production).
    public convenience init(configuration: TokenVerifierConfiguration, http: any HTTPExecuting, logger: Logger = Logger(label: "almanac.access")) {
        self.init(configuration: configuration, http: http, logger: logger, now: Date.init)
    }

    init(configuration: TokenVerifierConfiguration, http: any HTTPExecuting, logger: Logger = Logger(label: "almanac.access"),
         now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.keySet = IssuerKeySet(configuration: configuration, http: http, logger: logger)
        self.verified = VerifiedTokenCache(capacity: configuration.verifiedTokenCacheSize, lifetime: configuration.verifiedTokenLifetime)
        self.now = now
    }

    /// Verifies the token in an `Authorization` header value (`Bearer <token>`); nil or empty
    /// is `missingToken`.
    public func verify(authorizationHeader: String?) async throws(TokenVerificationError) -> Principal {
        guard let header = authorizationHeader.map({ Self.trimmingSpaces($0[...]) }), !header.isEmpty else {
            throw TokenVerificationError(.missingToken, "no bearer token: send an Authorization: Bearer <token> header")
        }
        let scheme = header.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else {
            throw TokenVerificationError(.missingToken, "the Authorization header uses the \(scheme) scheme; a Bearer token is required")
        }
        return try await verify(String(Self.trimmingSpaces(header.dropFirst(scheme.count))))
    }

    /// `text` without leading and trailing spaces and tabs (a header's optional whitespace,
    /// RFC 9110 §5.6.3). On the UTF-8 bytes: Foundation's `trimmingCharacters` went through
    /// NSString and UTF-16 for the whole ~1 KB token and was most of a cached verification's
    /// CPU (measured with perf in the booking bench).
    static func trimmingSpaces(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return text[first...last]
    }

    /// Verifies a bare token (the compact JWS text).
    public func verify(_ token: String?) async throws(TokenVerificationError) -> Principal {
        guard let token, !token.isEmpty else {
            throw TokenVerificationError(.missingToken, "no bearer token was presented")
        }
        let now = self.now()
        if let principal = verified.principal(for: token, now: now) { return principal }
        let jws = try CompactJWS(token)
        let algorithm = try acceptedAlgorithm(jws.header.alg)
        guard let kid = jws.header.kid, !kid.isEmpty else {
            throw TokenVerificationError(.unknownKey, "the token names no signing key (no kid in its header)")
        }
        let candidates = try await keySet.keys(for: kid)
        guard let key = candidates.first(where: { $0.algorithm == algorithm }) else {
            let kinds = candidates.map(\.algorithm.rawValue).joined(separator: ", ")
            throw TokenVerificationError(.badSignature, "the token says \(algorithm.rawValue) but the issuer's key \(kid.debugDescription) is for \(kinds)")
        }
        guard key.verifies(jws.signature, of: jws.signingInput) else {
            throw TokenVerificationError(.badSignature, "the token's signature does not verify with the issuer's key \(kid.debugDescription)")
        }
        let claims = try TokenClaims.decode(jws.payload)
        try check(claims, now: now)
        let principal = claims.principal
        // check() refused a token without exp, so there is always one here.
        if let exp = claims.exp {
            verified.store(token, principal: principal, exp: exp, nbf: claims.nbf, leeway: configuration.leeway.secondsAsDouble, now: now)
        }
        return principal
    }

    /// JWKS documents fetched so far; lets tests and metrics see refreshes.
    public var jwksFetchCount: Int {
        get async { await keySet.jwksFetchCount }
    }

    private func acceptedAlgorithm(_ alg: String?) throws(TokenVerificationError) -> TokenAlgorithm {
        let accepted = configuration.algorithms.map(\.rawValue).sorted().joined(separator: ", ")
        guard let alg else {
            throw TokenVerificationError(.malformed, "the token's header has no alg")
        }
        guard let algorithm = TokenAlgorithm(rawValue: alg), configuration.algorithms.contains(algorithm) else {
            throw TokenVerificationError(.badSignature, "tokens signed with \(alg.debugDescription) are not accepted; only \(accepted)")
        }
        return algorithm
    }
}
