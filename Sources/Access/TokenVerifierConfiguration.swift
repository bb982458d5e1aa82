import Foundation

/// What a `TokenVerifier` accepts. Only `issuer` and `audiences` are site-specific; the rest
/// has defaults that suit Entra ID and the dev issuer alike.
public struct TokenVerifierConfiguration: Sendable {
    /// The issuer exactly as it appears in `iss`, e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`. Its discovery document is read from
    /// `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    /// `aud` must contain at least one of these (the application's client id or App ID URI).
    public var audiences: Set<String>
    /// Clock skew allowed on `exp` and `nbf`.
    public var leeway: Duration
    /// Signature algorithms accepted; only asymmetric ones exist to choose from.
    public var algorithms: Set<TokenAlgorithm>
    /// Least time between two JWKS refreshes caused by an unknown `kid` (and between retries
    /// after the issuer failed), so a flood of tokens with invented kids cannot hammer the
    /// issuer: within the interval such tokens are refused without a fetch.
    public var minimumRefreshInterval: Duration
    /// Keys older than this are fetched again before the next verification (if that fetch
    /// fails, the old keys stay in use).
    public var maximumKeyAge: Duration
    /// Time allowed for each fetch of the discovery document or JWKS.
    public var fetchTimeout: Duration
    /// How many verified tokens are remembered, so a token sent again is not checked again
    /// (0: every request is verified in full). See `VerifiedTokenCache`.
    public var verifiedTokenCacheSize: Int
    /// The longest a remembered token is trusted without checking its signature again (its own
    /// `exp` still applies): how long a key the issuer withdrew may keep working.
    public var verifiedTokenLifetime: Duration

    public init(
        issuer: String,
        audiences: Set<String>,
        leeway: Duration = .seconds(60),
        algorithms: Set<TokenAlgorithm> = Set(TokenAlgorithm.allCases),
        minimumRefreshInterval: Duration = .seconds(30),
        maximumKeyAge: Duration = .seconds(24 * 3600),
        fetchTimeout: Duration = .seconds(10),
        verifiedTokenCacheSize: Int = 10_000,
        verifiedTokenLifetime: Duration = .seconds(300)
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.leeway = leeway
        self.algorithms = algorithms
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumKeyAge = maximumKeyAge
        self.fetchTimeout = fetchTimeout
        self.verifiedTokenCacheSize = verifiedTokenCacheSize
        self.verifiedTokenLifetime = verifiedTokenLifetime
    }

    public init(issuer: String, audience: String) {
        self.init(issuer: issuer, audiences: [audience])
    }

    /// `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
    public var discoveryURL: URL? {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + "/.well-known/openid-configuration")
    }
}
