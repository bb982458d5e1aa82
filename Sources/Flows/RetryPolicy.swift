import Foundation

/// How often a step is tried and how long to wait between attempts:
/// `initialDelay * multiplier^(attempt-1)`, capped at `maxDelay`, then spread by ±`jitter`
/// (a fraction) so retries of many runs do not arrive together.
public struct RetryPolicy: Codable, Equatable, Sendable {
    /// Attempts in all, the first included (1 = no retry).
    public var attempts: Int
    public var initialDelay: String?
    public var multiplier: Double?
    public var maxDelay: String?
    /// 0 ... 1.
    public var jitter: Double?
    /// Error kinds worth another attempt; absent: `StepErrorKind.retryableByDefault`.
    public var retryOn: [StepErrorKind]?

    public init(attempts: Int, initialDelay: String? = nil, multiplier: Double? = nil, maxDelay: String? = nil, jitter: Double? = nil, retryOn: [StepErrorKind]? = nil) {
        self.attempts = attempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.retryOn = retryOn
    }

    /// Three attempts, 10 s then 20 s apart (±20 %).
    public static let standard = RetryPolicy(attempts: 3)

    public static let defaultInitialDelay = FlowDuration(seconds: 10)
    public static let defaultMultiplier = 2.0
    public static let defaultMaxDelay = FlowDuration(seconds: 300)
    public static let defaultJitter = 0.2

    /// Whether a failure of `kind` on attempt `attempt` (1-based) gets another attempt.
    public func retries(_ kind: StepErrorKind, afterAttempt attempt: Int) -> Bool {
        attempt < attempts && (retryOn ?? StepErrorKind.retryableByDefault).contains(kind)
    }

    /// The wait before the attempt after `attempt`. `unitRandom` (0 ... 1) comes from the caller
    /// so the decision stays repeatable; 0.5 means no jitter. Unreadable durations fall back to
    /// the defaults (the validator has reported them).
    public func delay(afterAttempt attempt: Int, unitRandom: Double) -> FlowDuration {
        let initial = initialDelay.flatMap { try? FlowDuration(parsing: $0) } ?? Self.defaultInitialDelay
        let cap = maxDelay.flatMap { try? FlowDuration(parsing: $0) } ?? Self.defaultMaxDelay
        let base = min(Double(initial.seconds) * pow(multiplier ?? Self.defaultMultiplier, Double(max(0, attempt - 1))), Double(cap.seconds))
        let spread = min(max(jitter ?? Self.defaultJitter, 0), 1)
        let factor = 1 + spread * (min(max(unitRandom, 0), 1) * 2 - 1)
        return FlowDuration(seconds: max(0, Int((base * factor).rounded())))
    }
}

/// Why a step attempt failed, as the runtime classifies it.
public enum StepErrorKind: String, Codable, Sendable, CaseIterable {
    /// The attempt took longer than the step's timeout.
    case timeout
    /// Could not connect, connection reset, DNS.
    case network
    /// HTTP 429 or a mail service's "too many requests".
    case rateLimited = "rate_limited"
    /// HTTP 5xx, SMTP 4xx: the other side may recover.
    case serverError = "server_error"
    /// HTTP 4xx other than 429, SMTP 5xx: the request itself is wrong.
    case clientError = "client_error"
    /// A rendered template is not valid input (e.g. not an email address).
    case invalidInput = "invalid_input"
    /// The booking service refused the command.
    case rejected
    case `internal`

    public static let retryableByDefault: [StepErrorKind] = [.timeout, .network, .rateLimited, .serverError]
}
