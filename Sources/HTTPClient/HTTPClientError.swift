/// Why a request or mail submission failed. Failures reported by libcurl keep the raw CURLcode,
/// libcurl's own short text for it, and the detail curl wrote into its error buffer.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Name resolution or TCP connect failed (CURLcode 5, 6, 7).
        case cannotConnect
        /// The connect timeout or the total timeout expired (CURLcode 28).
        case timedOut
        /// TLS handshake, certificate verification, or a required STARTTLS failed.
        case tls
        /// The response body exceeded the limit, in bytes.
        case responseTooLarge(limit: Int)
        /// More redirects than allowed (CURLcode 47).
        case tooManyRedirects
        /// The server refused the credentials (CURLcode 67).
        case loginDenied
        /// The request could not be built: bad URL, unsupported scheme, invalid header or address.
        case invalidRequest
        /// The client was shut down before the transfer finished.
        case shutDown
        /// Any other transfer failure; see `curlCode` and `detail`.
        case transferFailed
    }

    public var kind: Kind
    /// The URL the request went to, with user info and query removed.
    public var url: String
    /// The raw CURLcode, when libcurl reported the failure.
    public var curlCode: Int?
    /// libcurl's text for `curlCode` (curl_easy_strerror), or this library's reason.
    public var message: String
    /// What curl wrote into CURLOPT_ERRORBUFFER (often more specific than `message`), if anything.
    public var detail: String?

    public init(kind: Kind, url: String, curlCode: Int? = nil, message: String, detail: String? = nil) {
        self.kind = kind
        self.url = url
        self.curlCode = curlCode
        self.message = message
        self.detail = detail
    }

    /// One line: what failed, where, curl's text and code, then curl's detail.
    /// e.g. `cannot reach http://127.0.0.1:9/x: Couldn't connect to server (CURLcode 7); Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused`
    public var description: String {
        var line = "\(kind.phrase) \(url): \(message)"
        if let curlCode {
            line += " (CURLcode \(curlCode))"
        }
        if let detail, !detail.isEmpty, detail != message {
            line += "; \(detail)"
        }
        return line.oneLine
    }
}

extension HTTPClientError.Kind {
    var phrase: String {
        switch self {
        case .cannotConnect: "cannot reach"
        case .timedOut: "timed out talking to"
        case .tls: "TLS failure with"
        case .responseTooLarge(let limit): "response larger than \(limit) bytes from"
        case .tooManyRedirects: "too many redirects from"
        case .loginDenied: "login denied by"
        case .invalidRequest: "invalid request to"
        case .shutDown: "client shut down during request to"
        case .transferFailed: "transfer failed with"
        }
    }
}

extension String {
    /// Control characters (a server's text may carry CR/LF) folded into spaces.
    var oneLine: String {
        String(unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }
}
