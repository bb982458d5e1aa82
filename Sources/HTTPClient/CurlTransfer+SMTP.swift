internal import CCurl
import Foundation

extension CurlTransfer {
    /// Configures this transfer as one SMTP submission of `message` (RFC 5322 text with CRLF
    /// line ends; libcurl dot-stuffs it and sends the final "." itself).
    func configureSMTP(
        from: String,
        to recipients: [String],
        message: Data,
        username: String?,
        password: String?,
        requireTLS: Bool,
        _ configuration: HTTPClientConfiguration
    ) throws(HTTPClientError) {
        guard !recipients.isEmpty else {
            throw .invalidRequest(url: redactedURL, "no recipients")
        }
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps", "CURLOPT_PROTOCOLS_STR")
        try set(CURLOPT_MAIL_FROM, try envelopeAddress(from), "CURLOPT_MAIL_FROM")
        var lines: [String] = []
        for recipient in recipients {
            lines.append(try envelopeAddress(recipient))
        }
        // One RCPT TO per list entry; the list must live until the handle is cleaned up.
        try set(CURLOPT_MAIL_RCPT, lines: lines, "CURLOPT_MAIL_RCPT")

        // CURLUSESSL_ALL: STARTTLS (or smtps://) or fail with CURLE_USE_SSL_FAILED — never
        // fall back to plain text. CURLUSESSL_TRY: use STARTTLS when the server offers it
        // (certificate still verified), else go on in plain text.
        let useSSL = requireTLS ? CURLUSESSL_ALL : CURLUSESSL_TRY
        try set(CURLOPT_USE_SSL, Int(useSSL.rawValue), "CURLOPT_USE_SSL")
        try setTLSVerification(caBundlePath: configuration.caBundlePath)
        try setTimeouts(connect: configuration.connectTimeout, total: configuration.timeout)

        if let username {
            try set(CURLOPT_USERNAME, username, "CURLOPT_USERNAME")
        }
        if let password {
            try set(CURLOPT_PASSWORD, password, "CURLOPT_PASSWORD")
        }
        try enableUpload(message)
    }

    /// `<address>` for MAIL FROM / RCPT TO; refuses anything that could break the command line.
    private func envelopeAddress(_ address: String) throws(HTTPClientError) -> String {
        let bare = address.hasPrefix("<") && address.hasSuffix(">") && address.count >= 2
            ? String(address.dropFirst().dropLast())
            : address
        let forbidden: Set<Unicode.Scalar> = ["\r", "\n", "\0", "<", ">", " ", "\t"]
        guard !bare.isEmpty, !bare.unicodeScalars.contains(where: forbidden.contains) else {
            throw .invalidRequest(url: redactedURL, "invalid mail address \(address.debugDescription)")
        }
        return "<\(bare)>"
    }
}
