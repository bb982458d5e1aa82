public import Foundation

/// Sends a `MailMessage` somewhere: Microsoft Graph, an SMTP server, or the outbox table.
/// A call either returns a receipt (the mail was accepted) or throws `MailTransportError`, which
/// says whether trying again later can help (or CancellationError when the task was cancelled).
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws -> MailReceipt
}

/// What a transport reports for an accepted mail.
public struct MailReceipt: Sendable, Hashable {
    /// `graph`, `smtp` or `outbox`.
    public var transport: String
    public var messageID: MailMessageID
    public var acceptedAt: Date
    /// Transport-specific: Graph's `request-id`, the outbox row id, ...
    public var reference: String?
    /// True when the transport recognised the Message-ID as already accepted (outbox).
    public var wasDuplicate: Bool

    public init(transport: String, messageID: MailMessageID, acceptedAt: Date = Date(), reference: String? = nil, wasDuplicate: Bool = false) {
        self.transport = transport
        self.messageID = messageID
        self.acceptedAt = acceptedAt
        self.reference = reference
        self.wasDuplicate = wasDuplicate
    }
}
