import Foundation
import HTTPClient
import Logging

/// Sends mail with Microsoft Graph (`POST /v1.0/users/{sender}/sendMail`, 202 = accepted) as an
/// app with client credentials.
///
/// - 429 and 503 wait out `Retry-After` (or 1, 2, 4 s... without one) up to
///   `maxThrottleRetries` times, then fail retryable with the server's hint.
/// - 401 gets one fresh token and one more try; a second 401 (or a 403) is an authentication
///   failure that retrying cannot cure.
/// - Any other 4xx fails non-retryable with Graph's `error.code: error.message`; 5xx retryable.
/// - At most `maxConcurrentRequests` sendMail requests are in flight per transport: create one
///   transport per app registration and share it.
public final class GraphTransport: MailTransport {
    public let configuration: GraphConfiguration
    private let http: any HTTPExecuting
    private let tokens: GraphTokenProvider
    private let permits: AsyncSemaphore
    private let logger: Logger

    public init(configuration: GraphConfiguration, http: any HTTPExecuting, logger: Logger = Logger(label: "almanac.mail.graph")) {
        self.configuration = configuration
        self.http = http
        self.tokens = GraphTokenProvider(configuration: configuration, http: http, logger: logger)
        self.permits = AsyncSemaphore(permits: configuration.maxConcurrentRequests)
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let payload = try GraphSendMailBody(message, saveToSentItems: configuration.saveToSentItems)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(payload)

        var token = try await tokens.token()
        var refreshedAfter401 = false
        var throttled = 0
        while true {
            let response = try await post(body, token: token)
            let status = response.status
            if (200..<300).contains(status) {
                logger.debug("Graph accepted mail", metadata: ["messageID": "\(message.messageID)", "status": "\(status)"])
                return MailReceipt(transport: "graph", messageID: message.messageID, reference: response.headers["request-id"])
            }
            let graphText = GraphErrorBody.text(response.body, status: status)
            switch status {
            case 401 where !refreshedAfter401:
                // Typically an expired or revoked token: one fresh token, one more try.
                refreshedAfter401 = true
                logger.info("Graph refused the token; fetching a new one", metadata: ["reason": "\(graphText)"])
                token = try await tokens.replace(token)
            case 401, 403:
                throw MailTransportError(.authentication, retryable: false,
                                         "Graph refused to send as \(configuration.sender) (\(status)): \(graphText)")
            case 429, 503:
                let hint = RetryAfter.parse(response.headers["Retry-After"])
                let wait = hint ?? .seconds(1 << min(throttled, 5))
                guard throttled < configuration.maxThrottleRetries, wait <= configuration.maxRetryAfterWait else {
                    throw MailTransportError(.throttled, retryable: true, retryAfter: wait,
                                             "Graph is throttling or unavailable (\(status)) after \(throttled + 1) attempts: \(graphText)")
                }
                throttled += 1
                logger.info("Graph asked to wait", metadata: ["status": "\(status)", "wait": "\(wait)", "attempt": "\(throttled)"])
                try await Task.sleep(for: wait)
            case 400..<500:
                throw MailTransportError(status == 400 ? .invalidMessage : .rejected, retryable: false,
                                         "Graph refused the mail (\(status)): \(graphText)")
            default:
                throw MailTransportError(.unavailable, retryable: true,
                                         retryAfter: RetryAfter.parse(response.headers["Retry-After"]),
                                         "Graph failed (\(status)): \(graphText)")
            }
        }
    }

    /// One sendMail request, holding one of the app's concurrency permits while it runs.
    private func post(_ body: Data, token: String) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: .post,
            url: configuration.sendMailURL,
            headers: [
                "Authorization": "Bearer \(token)",
                "Content-Type": "application/json",
                "Accept": "application/json",
            ],
            body: body,
            timeout: configuration.requestTimeout
        )
        do {
            return try await permits.withPermit { try await http.execute(request) }
        } catch let error as HTTPClientError {
            throw MailTransportError(httpFailure: error, talkingTo: "Graph sendMail")
        }
    }
}
