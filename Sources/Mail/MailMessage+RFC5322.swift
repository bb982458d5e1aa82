import Foundation

extension MailMessage {
    /// The message as RFC 5322 text with CRLF line ends, ready for SMTP DATA: From, To, Cc,
    /// Reply-To, Subject (RFC 2047 encoded when not ASCII), Date, Message-ID, MIME-Version, the
    /// extra headers, then a text/plain or text/html body, or both as multipart/alternative.
    /// Bodies are UTF-8 in quoted-printable, so no line is longer than 76 characters.
    /// Bcc is never written: those recipients get the mail through the envelope only.
    public func rfc5322(date: Date = Date()) -> Data {
        var lines: [String] = []
        lines.append(HeaderEncoding.addressField("From", [from]))
        if !to.isEmpty { lines.append(HeaderEncoding.addressField("To", to)) }
        if !cc.isEmpty { lines.append(HeaderEncoding.addressField("Cc", cc)) }
        if !replyTo.isEmpty { lines.append(HeaderEncoding.addressField("Reply-To", replyTo)) }
        lines.append(HeaderEncoding.unstructuredField("Subject", subject))
        lines.append("Date: \(Self.rfc5322Date(date))")
        lines.append("Message-ID: \(messageID.value)")
        lines.append("MIME-Version: 1.0")
        for header in headers {
            lines.append(HeaderEncoding.unstructuredField(header.name, header.value))
        }

        switch (textBody, htmlBody) {
        case (let text?, let html?):
            // Derived from the Message-ID: stable for one message, and quoted-printable output
            // can never contain "=_", so the boundary cannot occur inside a part.
            let boundary = "=_almanac_\(QuotedPrintable.stableHash(messageID.value))"
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a multi-part message in MIME format.")
            for (subtype, content) in [("plain", text), ("html", html)] {
                lines.append("--\(boundary)")
                lines.append(contentsOf: Self.partHeaders(subtype))
                lines.append("")
                lines.append(QuotedPrintable.encode(content))
            }
            lines.append("--\(boundary)--")
        case (let text?, nil):
            lines.append(contentsOf: Self.partHeaders("plain"))
            lines.append("")
            lines.append(QuotedPrintable.encode(text))
        case (nil, let html?):
            lines.append(contentsOf: Self.partHeaders("html"))
            lines.append("")
            lines.append(QuotedPrintable.encode(html))
        case (nil, nil):
            // The initialiser refuses a message without a body.
            lines.append("")
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    private static func partHeaders(_ subtype: String) -> [String] {
        ["Content-Type: text/\(subtype); charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
    }

    /// `Tue, 24 Nov 2026 23:28:09 +0000` (RFC 5322 §3.3), always in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
