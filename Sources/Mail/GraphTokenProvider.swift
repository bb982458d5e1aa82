import Foundation
import HTTPClient
import Logging

/// Access tokens for Graph from the OAuth2 client credentials flow, cached until shortly before
/// they expire. Concurrent callers share one token request.
actor GraphTokenProvider {
    struct Token: Sendable {
        let value: String
        /// When to stop using it: the server's expiry minus the refresh margin.
        let refreshAt: ContinuousClock.Instant
    }

    private let configuration: GraphConfiguration
    private let http: any HTTPExecuting
    private let logger: Logger
    private var cached: Token?
    private var inFlight: Task<Token, any Error>?

    init(configuration: GraphConfiguration, http: any HTTPExecuting, logger: Logger) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    /// A token that is not about to expire, fetched if needed.
    func token() async throws -> String {
        if let cached, ContinuousClock.now < cached.refreshAt { return cached.value }
        return try await refresh().value
    }

    /// Drops `rejected` (Graph answered 401 to it) and returns a fresh token; when another caller
    /// already replaced it, that newer token is returned without asking again.
    func replace(_ rejected: String) async throws -> String {
        if let cached, cached.value != rejected, ContinuousClock.now < cached.refreshAt { return cached.value }
        if cached?.value == rejected { cached = nil }
        return try await refresh().value
    }

    private func refresh() async throws -> Token {
        if let inFlight { return try await inFlight.value }
        let task = Task { [configuration, http, logger] in
            try await Self.request(configuration: configuration, http: http, logger: logger)
        }
        inFlight = task
        defer { inFlight = nil }
        let token = try await task.value
        cached = token
        return token
    }

    private struct TokenResponse: Decodable {
        let access_token: String
        let expires_in: Int
    }

    private struct TokenErrorResponse: Decodable {
        let error: String
        let error_description: String?
    }

    private static func request(configuration: GraphConfiguration, http: any HTTPExecuting, logger: Logger) async throws -> Token {
        let form = [
            ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret.reveal()),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ]
        let body = form.map { "\($0.0.formEncoded)=\($0.1.formEncoded)" }.joined(separator: "&")
        let request = HTTPRequest(
            method: .post,
            url: configuration.tokenURL,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(body.utf8),
            timeout: configuration.requestTimeout
        )
        let asked = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            throw MailTransportError(httpFailure: error, talkingTo: "the token endpoint")
        }
        guard response.isSuccess else {
            let reason = (try? JSONDecoder().decode(TokenErrorResponse.self, from: response.body))
                .map { [$0.error, $0.error_description].compactMap { $0 }.joined(separator: ": ") }
                ?? "HTTP \(response.status)"
            let retryable = response.status == 429 || response.status >= 500
            throw MailTransportError(
                retryable ? .unavailable : .authentication,
                retryable: retryable,
                retryAfter: RetryAfter.parse(response.headers["Retry-After"]),
                "Graph token request for client \(configuration.clientID) failed (\(response.status)): \(reason)"
            )
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: response.body), !decoded.access_token.isEmpty else {
            throw MailTransportError(.unavailable, retryable: true, "the token endpoint answered \(response.status) without an access_token and expires_in")
        }
        let lifetime = Duration.seconds(max(0, decoded.expires_in))
        // Measured from before the request: the token cannot outlive what the server granted.
        let margin = min(configuration.tokenRefreshMargin, lifetime / 2)
        logger.debug("Graph token obtained", metadata: ["client": "\(configuration.clientID)", "expiresIn": "\(decoded.expires_in)s"])
        return Token(value: decoded.access_token, refreshAt: asked + lifetime - margin)
    }
}

extension String {
    /// application/x-www-form-urlencoded: unreserved characters kept, everything else %XX.
    var formEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
