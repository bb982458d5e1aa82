public import Foundation

/// An outbound HTTP request. The optional limits override the client's defaults for this
/// request only.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: URL
    public var headers: HTTPHeaders
    public var body: Data?

    /// Time allowed to establish the connection (TCP + TLS); nil: the client's default.
    public var connectTimeout: Duration?
    /// Time allowed for the whole transfer, connecting included; nil: the client's default.
    public var timeout: Duration?
    /// Largest response body accepted, in bytes; nil: the client's default.
    public var maxResponseSize: Int?
    /// Redirects to follow (0: none, the 3xx is returned); nil: the client's default.
    public var redirectLimit: Int?

    public init(
        method: HTTPMethod = .get,
        url: URL,
        headers: HTTPHeaders = [:],
        body: Data? = nil,
        connectTimeout: Duration? = nil,
        timeout: Duration? = nil,
        maxResponseSize: Int? = nil,
        redirectLimit: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseSize = maxResponseSize
        self.redirectLimit = redirectLimit
    }
}
