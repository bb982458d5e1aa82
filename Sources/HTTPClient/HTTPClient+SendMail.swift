import Foundation

extension HTTPClient {
    /// Submits `message` (RFC 5322 text, CRLF line ends) over SMTP on the shared multi handle.
    ///
    /// - smtpURL: `smtp://host:port` (STARTTLS as `requireTLS` says) or `smtps://host:port`
    ///   (TLS from the start). A path names the EHLO domain, e.g. `smtp://mx:587/almanac.example`.
    /// - requireTLS: true = STARTTLS is mandatory, a server without it fails with `.tls`
    ///   (CURLcode 64) before any credentials or mail are sent; false = STARTTLS when offered.
    ///   Certificates are verified either way.
    public func sendMail(
        smtpURL: URL,
        from: String,
        to: [String],
        message: Data,
        username: String? = nil,
        password: String? = nil,
        requireTLS: Bool = true
    ) async throws {
        let configuration = configuration
        _ = try await perform(url: smtpURL, method: "SMTP", responseLimit: 64 * 1024) { transfer throws(HTTPClientError) in
            try transfer.configureSMTP(
                from: from,
                to: to,
                message: message,
                username: username,
                password: password,
                requireTLS: requireTLS,
                configuration
            )
        }
    }
}
