/// Why a transport did not accept a mail. `isRetryable` tells the flow runtime whether another
/// attempt can succeed; `retryAfter` is the server's own hint (Graph's `Retry-After`), if any.
public struct MailTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The message itself is unacceptable (address, header, Graph's 400).
        case invalidMessage
        /// The service refused our credentials (token endpoint, SMTP AUTH, a 401/403 that a
        /// fresh token did not cure).
        case authentication
        /// The service refused the request for another lasting reason (other 4xx, SMTP 5xx).
        case rejected
        /// Throttled (429) or unavailable (503) for longer than this transport waits.
        case throttled
        /// The service failed or could not be reached (5xx, network, timeout).
        case unavailable
        /// The transport is misconfigured (TLS trust, bad URL).
        case configuration
    }

    public var kind: Kind
    public var isRetryable: Bool
    public var retryAfter: Duration?
    /// One line a person understands; never contains a secret.
    public var message: String

    public init(_ kind: Kind, retryable: Bool, retryAfter: Duration? = nil, _ message: String) {
        self.kind = kind
        self.isRetryable = retryable
        self.retryAfter = retryAfter
        self.message = message.replacingControlCharacters
    }

    public static func invalid(_ error: MailMessageError) -> MailTransportError {
        MailTransportError(.invalidMessage, retryable: false, error.description)
    }

    public var description: String {
        var line = message
        if isRetryable {
            line += retryAfter.map { " (retryable after \($0))" } ?? " (retryable)"
        }
        return line
    }
}
