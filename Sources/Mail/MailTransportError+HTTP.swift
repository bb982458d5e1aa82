import HTTPClient

extension MailTransportError {
    /// No answer from the server: network trouble is worth retrying, a TLS or URL problem is not.
    init(httpFailure error: HTTPClientError, talkingTo what: String) {
        switch error.kind {
        case .tls:
            self.init(.configuration, retryable: false, "TLS failure with \(what): \(error)")
        case .invalidRequest:
            self.init(.configuration, retryable: false, "cannot build the request to \(what): \(error)")
        case .loginDenied:
            self.init(.authentication, retryable: false, "\(what) refused the login: \(error)")
        case .cannotConnect, .timedOut, .responseTooLarge, .tooManyRedirects, .shutDown, .transferFailed:
            self.init(.unavailable, retryable: true, "\(what) failed: \(error)")
        }
    }
}
