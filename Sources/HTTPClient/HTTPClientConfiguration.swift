/// Client-wide defaults. TLS peer and host verification are always on: there is deliberately no
/// switch to turn them off. To trust a private CA (or a test's self-signed certificate), name
/// its PEM file in `caBundlePath`.
public struct HTTPClientConfiguration: Sendable {
    /// Default time allowed to establish a connection (TCP + TLS).
    public var connectTimeout: Duration
    /// Default time allowed for a whole transfer, connecting included.
    public var timeout: Duration
    /// Default largest response body accepted, in bytes.
    public var maxResponseSize: Int
    /// Default number of redirects followed; 0 (the default) returns the 3xx response itself.
    public var redirectLimit: Int
    /// PEM file of CA certificates to trust instead of the system's bundle; nil: the system's.
    public var caBundlePath: String?
    /// Sent as `User-Agent` unless a request sets its own.
    public var userAgent: String
    /// Ask for gzip/deflate/br responses and decode them; the size limit applies to the decoded body.
    public var acceptCompressedResponses: Bool
    /// Most connections open to one host at once, queueing further requests; 0: unlimited.
    public var maxConnectionsPerHost: Int

    /// Hard cap on `redirectLimit`, whatever a request or configuration asks for.
    public static let redirectLimitCap = 20

    public init(
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30),
        maxResponseSize: Int = 16 * 1024 * 1024,
        redirectLimit: Int = 0,
        caBundlePath: String? = nil,
        userAgent: String = "Almanac",
        acceptCompressedResponses: Bool = true,
        maxConnectionsPerHost: Int = 0
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseSize = maxResponseSize
        self.redirectLimit = redirectLimit
        self.caBundlePath = caBundlePath
        self.userAgent = userAgent
        self.acceptCompressedResponses = acceptCompressedResponses
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}
