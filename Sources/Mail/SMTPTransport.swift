import Foundation
import HTTPClient
import Logging

/// Submits mail over SMTP through libcurl (`HTTPClient.sendMail`): envelope sender and every
/// to/cc/bcc recipient, the message rendered by `MailMessage.rfc5322`.
///
/// Failures: refused credentials and TLS problems are not retryable; an SMTP 5xx answer is a
/// lasting rejection (not retryable), a 4xx or a network problem is retryable.
public final class SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration
    private let client: any SMTPSending
    private let logger: Logger

    /// `client` must trust `configuration.caBundlePath` when one is set: see
    /// `MailTransportConfiguration.makeTransport`, which builds a matching HTTPClient.
    public init(configuration: SMTPConfiguration, client: any SMTPSending, logger: Logger = Logger(label: "almanac.mail.smtp")) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let data = message.rfc5322()
        do {
            try await client.sendMail(
                smtpURL: configuration.url,
                from: message.from.address,
                to: message.envelopeRecipients,
                message: data,
                username: configuration.username,
                password: configuration.password?.reveal(),
                requireTLS: configuration.requireTLS
            )
        } catch let error as HTTPClientError {
            throw Self.transportError(error)
        }
        logger.debug("SMTP server accepted mail", metadata: ["messageID": "\(message.messageID)", "recipients": "\(message.envelopeRecipients.count)"])
        return MailReceipt(transport: "smtp", messageID: message.messageID)
    }

    static func transportError(_ error: HTTPClientError) -> MailTransportError {
        // libcurl reports a refused command as e.g. "RCPT failed: 550" in its error buffer: the
        // reply code says whether the refusal is lasting (5xx) or temporary (4xx).
        if let code = replyCode(in: error.detail ?? "") {
            let permanent = code >= 500
            return MailTransportError(permanent ? .rejected : .unavailable, retryable: !permanent,
                                      "the SMTP server refused the mail (\(code)): \(error)")
        }
        return MailTransportError(httpFailure: error, talkingTo: "the SMTP server")
    }

    /// The three-digit SMTP reply code in libcurl's "<COMMAND> failed: <code>" detail.
    static func replyCode(in detail: String) -> Int? {
        guard let range = detail.range(of: "failed: ") else { return nil }
        let digits = detail[range.upperBound...].prefix(3)
        guard digits.count == 3, let code = Int(digits), (400..<600).contains(code) else { return nil }
        return code
    }
}
