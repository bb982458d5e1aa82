public import Foundation

/// How to submit mail to an SMTP server (through libcurl).
public struct SMTPConfiguration: Sendable {
    /// `smtp://host:587` (STARTTLS) or `smtps://host:465` (TLS from the start); a path names the
    /// EHLO domain, e.g. `smtp://mail.example.com:587/almanac.example.com`.
    public var url: URL
    public var username: String?
    public var password: MailSecret?
    /// True: STARTTLS is mandatory and a server without it fails before credentials or mail are
    /// sent. False: STARTTLS when offered (certificates are verified either way).
    public var requireTLS: Bool
    /// PEM file of CA certificates to trust instead of the system's (private relay, tests).
    public var caBundlePath: String?

    public init(url: URL, username: String? = nil, password: MailSecret? = nil, requireTLS: Bool = true, caBundlePath: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.caBundlePath = caBundlePath
    }
}
