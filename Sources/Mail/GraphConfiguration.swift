public import Foundation

/// How to reach Microsoft Graph as one app registration (client credentials flow).
public struct GraphConfiguration: Sendable {
    /// Entra ID tenant (GUID or domain).
    public var tenantID: String
    /// The app registration's application (client) id.
    public var clientID: String
    public var clientSecret: MailSecret
    /// The mailbox that sends: a user id or user principal name (`POST /users/{sender}/sendMail`).
    public var sender: String
    /// `https://login.microsoftonline.com`; tests point it at loopback.
    public var loginBaseURL: URL
    /// `https://graph.microsoft.com`; tests point it at loopback.
    public var graphBaseURL: URL
    /// Requests in flight to Graph at once for this app (Graph throttles mail per app and mailbox).
    public var maxConcurrentRequests: Int
    /// How many 429/503 answers one send waits out before giving up with a retryable error.
    public var maxThrottleRetries: Int
    /// The longest `Retry-After` waited out inside a send; a longer one is handed to the caller.
    public var maxRetryAfterWait: Duration
    /// A cached token is replaced this long before it expires (at most half its lifetime).
    public var tokenRefreshMargin: Duration
    /// Keep a copy in the sender's Sent Items.
    public var saveToSentItems: Bool
    /// Time allowed for one HTTP request to Graph or the token endpoint.
    public var requestTimeout: Duration

    public init(
        tenantID: String,
        clientID: String,
        clientSecret: MailSecret,
        sender: String,
        loginBaseURL: URL = URL(string: "https://login.microsoftonline.com")!,
        graphBaseURL: URL = URL(string: "https://graph.microsoft.com")!,
        maxConcurrentRequests: Int = 4,
        maxThrottleRetries: Int = 3,
        maxRetryAfterWait: Duration = .seconds(30),
        tokenRefreshMargin: Duration = .seconds(300),
        saveToSentItems: Bool = false,
        requestTimeout: Duration = .seconds(30)
    ) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.sender = sender
        self.loginBaseURL = loginBaseURL
        self.graphBaseURL = graphBaseURL
        self.maxConcurrentRequests = max(1, maxConcurrentRequests)
        self.maxThrottleRetries = max(0, maxThrottleRetries)
        self.maxRetryAfterWait = maxRetryAfterWait
        self.tokenRefreshMargin = tokenRefreshMargin
        self.saveToSentItems = saveToSentItems
        self.requestTimeout = requestTimeout
    }

    var tokenURL: URL {
        loginBaseURL.appendingPathComponent(tenantID).appendingPathComponent("oauth2/v2.0/token")
    }

    var sendMailURL: URL {
        graphBaseURL.appendingPathComponent("v1.0/users").appendingPathComponent(sender).appendingPathComponent("sendMail")
    }
}
