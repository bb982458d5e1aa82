import Foundation
import HTTPClient
import JWTKit
import Logging

/// The issuer's signing keys, fetched through its discovery document and cached. A token with
/// a kid not in the cache causes one refresh, at most once per `minimumRefreshInterval`;
/// concurrent callers share a fetch that is already under way.
actor IssuerKeySet {
    private let configuration: TokenVerifierConfiguration
    private let http: any HTTPExecuting
    private let logger: Logger

    private var keysByKid: [String: [VerificationKey]] = [:]
    private var loadedAt: ContinuousClock.Instant?
    private var jwksURL: URL?
    private var loading: Task<[String: [VerificationKey]], any Error>?
    /// Last refresh triggered by an unknown kid: the rate limit.
    private var lastUnknownKeyRefresh: ContinuousClock.Instant?
    /// Last failed fetch: repeated within the refresh interval instead of asking again.
    private var lastFailure: (at: ContinuousClock.Instant, error: TokenVerificationError)?

    /// JWKS documents fetched so far (successfully or not); for tests and metrics.
    private(set) var jwksFetchCount = 0

    init(configuration: TokenVerifierConfiguration, http: any HTTPExecuting, logger: Logger) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// The key named `kid`, fetching or refreshing the set when needed.
    func keys(for kid: String) async throws(TokenVerificationError) -> [VerificationKey] {
        let now = ContinuousClock.now
        if let loadedAt {
            if now - loadedAt > configuration.maximumKeyAge, !failedRecently(now) {
                // Stale keys stay in use when the issuer cannot be reached: better than
                // refusing everyone while it is down.
                do { try await reload() } catch { logger.warning("cannot refresh the issuer's keys; keeping the old ones", metadata: ["error": "\(error)"]) }
            }
        } else {
            if let lastFailure, now - lastFailure.at < configuration.minimumRefreshInterval {
                throw lastFailure.error
            }
            try await reload()
        }
        if let found = keysByKid[kid] { return found }

        // Someone else's refresh may be under way (a rotation seen by a concurrent request):
        // its result is as fresh as one of our own.
        if loading != nil {
            try? await reload()
            if let found = keysByKid[kid] { return found }
        }
        if let last = lastUnknownKeyRefresh, ContinuousClock.now - last < configuration.minimumRefreshInterval {
            throw unknownKey(kid, refreshed: false)
        }
        lastUnknownKeyRefresh = ContinuousClock.now
        try await reload()
        if let found = keysByKid[kid] { return found }
        throw unknownKey(kid, refreshed: true)
    }

    private func failedRecently(_ now: ContinuousClock.Instant) -> Bool {
        guard let lastFailure else { return false }
        return now - lastFailure.at < configuration.minimumRefreshInterval
    }

    private func unknownKey(_ kid: String, refreshed: Bool) -> TokenVerificationError {
        let published = keysByKid.keys.sorted().joined(separator: ", ")
        let when = refreshed ? "even after refreshing its keys" : "(keys were refreshed less than \(configuration.minimumRefreshInterval) ago)"
        return TokenVerificationError(.unknownKey, "the issuer does not publish the key \(kid.debugDescription) the token names \(when); it publishes [\(published)]")
    }

    /// Fetches the set, sharing a fetch already under way.
    private func reload() async throws(TokenVerificationError) {
        let task: Task<[String: [VerificationKey]], any Error>
        if let loading {
            task = loading
        } else {
            task = Task { try await self.fetchKeys() }
            loading = task
        }
        do {
            let keys = try await task.value
            if loading == task {
                loading = nil
                keysByKid = keys
                loadedAt = ContinuousClock.now
                lastFailure = nil
            }
        } catch {
            let failure = error as? TokenVerificationError
                ?? TokenVerificationError(.issuerUnreachable, "cannot fetch the issuer's keys: \(error)")
            if loading == task {
                loading = nil
                lastFailure = (ContinuousClock.now, failure)
            }
            throw failure
        }
    }

    private func fetchKeys() async throws(TokenVerificationError) -> [String: [VerificationKey]] {
        let jwksURL = try await discoverJWKSURL()
        jwksFetchCount += 1
        let body = try await fetch(jwksURL, what: "JWKS")
        let set: JSONWebKeySet
        do {
            set = try JSONDecoder().decode(JSONWebKeySet.self, from: body)
        } catch {
            throw TokenVerificationError(.issuerUnreachable, "the JWKS at \(jwksURL.absoluteString) is not a JSON object with a keys array")
        }
        var keys: [String: [VerificationKey]] = [:]
        for entry in set.keys {
            guard let jwk = entry.key else { continue }
            switch await jwk.verificationKey() {
            case .success(let key):
                keys[key.kid, default: []].append(key)
            case .failure(let skipped):
                logger.debug("skipping a key of the issuer's JWKS", metadata: ["kid": "\(skipped.kid ?? "-")", "reason": "\(skipped.reason)"])
            }
        }
        logger.debug("fetched the issuer's keys", metadata: ["jwks": "\(jwksURL.absoluteString)", "kids": "\(keys.keys.sorted())"])
        return keys
    }

    private func discoverJWKSURL() async throws(TokenVerificationError) -> URL {
        if let jwksURL { return jwksURL }
        guard let discoveryURL = configuration.discoveryURL else {
            throw TokenVerificationError(.issuerUnreachable, "the configured issuer \(configuration.issuer.debugDescription) is not a URL")
        }
        let body = try await fetch(discoveryURL, what: "OIDC discovery document")
        let document: DiscoveryDocument
        do {
            document = try JSONDecoder().decode(DiscoveryDocument.self, from: body)
        } catch {
            throw TokenVerificationError(.issuerUnreachable, "the OIDC discovery document at \(discoveryURL.absoluteString) lacks issuer or jwks_uri")
        }
        // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        guard document.issuer == configuration.issuer else {
            throw TokenVerificationError(.issuerUnreachable, "the OIDC discovery document at \(discoveryURL.absoluteString) names issuer \(document.issuer.debugDescription), not the configured \(configuration.issuer.debugDescription)")
        }
        guard let url = URL(string: document.jwks_uri), url.scheme == "https" || url.scheme == "http" else {
            throw TokenVerificationError(.issuerUnreachable, "the OIDC discovery document at \(discoveryURL.absoluteString) has an unusable jwks_uri \(document.jwks_uri.debugDescription)")
        }
        jwksURL = url
        return url
    }

    private func fetch(_ url: URL, what: String) async throws(TokenVerificationError) -> Data {
        let response: HTTPResponse
        do {
            response = try await http.execute(HTTPRequest(
                url: url,
                headers: ["Accept": "application/json"],
                timeout: configuration.fetchTimeout,
                maxResponseSize: 1024 * 1024
            ))
        } catch {
            throw TokenVerificationError(.issuerUnreachable, "cannot fetch the \(what) from \(url.absoluteString): \(error)")
        }
        guard response.isSuccess else {
            throw TokenVerificationError(.issuerUnreachable, "the issuer answered HTTP \(response.status) for its \(what) at \(url.absoluteString)")
        }
        return response.body
    }
}
