import Foundation

/// The JSON body of `POST /users/{sender}/sendMail`: `{"message": {...}, "saveToSentItems": b}`
/// in Graph's message resource shape. Graph takes one body, so an HTML body wins over text.
struct GraphSendMailBody: Encodable {
    struct EmailAddress: Encodable {
        let address: String
        let name: String?
    }

    struct Recipient: Encodable {
        let emailAddress: EmailAddress

        init(_ address: MailAddress) {
            emailAddress = EmailAddress(address: address.address, name: address.name)
        }
    }

    struct ItemBody: Encodable {
        /// `Text` or `HTML`.
        let contentType: String
        let content: String
    }

    struct Header: Encodable {
        let name: String
        let value: String
    }

    struct Message: Encodable {
        let subject: String
        let body: ItemBody
        let from: Recipient
        let toRecipients: [Recipient]
        let ccRecipients: [Recipient]?
        let bccRecipients: [Recipient]?
        let replyTo: [Recipient]?
        let internetMessageId: String
        let internetMessageHeaders: [Header]?
    }

    let message: Message
    let saveToSentItems: Bool

    /// Refuses header names Graph would reject (it carries only `X-` custom headers).
    init(_ mail: MailMessage, saveToSentItems: Bool) throws(MailTransportError) {
        for header in mail.headers where !header.name.lowercased().hasPrefix("x-") {
            throw MailTransportError(.invalidMessage, retryable: false,
                                     "Graph sends only custom headers named X-…; \(header.name.debugDescription) cannot be sent")
        }
        let body = mail.htmlBody.map { ItemBody(contentType: "HTML", content: $0) }
            ?? ItemBody(contentType: "Text", content: mail.textBody ?? "")
        func list(_ addresses: [MailAddress]) -> [Recipient]? {
            addresses.isEmpty ? nil : addresses.map(Recipient.init)
        }
        message = Message(
            subject: mail.subject,
            body: body,
            from: Recipient(mail.from),
            toRecipients: mail.to.map(Recipient.init),
            ccRecipients: list(mail.cc),
            bccRecipients: list(mail.bcc),
            replyTo: list(mail.replyTo),
            internetMessageId: mail.messageID.value,
            internetMessageHeaders: mail.headers.isEmpty ? nil : mail.headers.map { Header(name: $0.name, value: $0.value) }
        )
        self.saveToSentItems = saveToSentItems
    }
}

/// Graph's error body: `{"error": {"code": "...", "message": "..."}}`.
struct GraphErrorBody: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String?
    }

    let error: Detail

    /// `code: message` from the body, or the status alone when the body is not Graph's shape.
    static func text(_ body: Data, status: Int) -> String {
        guard let parsed = try? JSONDecoder().decode(GraphErrorBody.self, from: body) else { return "HTTP \(status)" }
        return [parsed.error.code, parsed.error.message].compactMap { $0 }.joined(separator: ": ")
    }
}
