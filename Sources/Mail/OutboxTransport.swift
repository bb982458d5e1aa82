import Foundation
import Logging
import PostgresClient

/// Keeps mail in PostgreSQL (`mail.outbox`, migration 0010) instead of sending it: the default
/// of `almanac dev`, where the studio shows what would have gone out. The unique Message-ID
/// makes a retried send of one step return the first row (`wasDuplicate`) instead of a second.
public final class OutboxTransport: MailTransport {
    private let pool: PostgresPool
    private let logger: Logger

    public init(pool: PostgresPool, logger: Logger = Logger(label: "almanac.mail.outbox")) {
        self.pool = pool
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        do {
            let inserted = try await pool.query(
                """
                insert into mail.outbox (message_id, run_id, step_id, from_address, from_name, to_addresses, cc_addresses,
                                         bcc_addresses, reply_to, subject, text_body, html_body, headers)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                on conflict (message_id) do nothing
                returning id, created_at
                """,
                [
                    message.messageID.value, message.origin?.runID, message.origin?.stepID, message.from.address, message.from.name,
                    try PostgresJSON(encoding: message.to), try PostgresJSON(encoding: message.cc), try PostgresJSON(encoding: message.bcc),
                    try PostgresJSON(encoding: message.replyTo), message.subject, message.textBody, message.htmlBody,
                    try PostgresJSON(encoding: message.headers),
                ]
            )
            if let row = inserted.first {
                let (id, createdAt) = try row.decode(Int64.self, Date.self)
                logger.debug("mail stored in the outbox", metadata: ["messageID": "\(message.messageID)", "id": "\(id)"])
                return MailReceipt(transport: "outbox", messageID: message.messageID, acceptedAt: createdAt, reference: "\(id)")
            }
            // Already there: an earlier attempt of this step stored it.
            let existing = try await pool.query("select id, created_at from mail.outbox where message_id = $1", [message.messageID.value])
            guard let row = existing.first else {
                throw MailTransportError(.unavailable, retryable: true, "the outbox row for \(message.messageID) vanished while being stored")
            }
            let (id, createdAt) = try row.decode(Int64.self, Date.self)
            return MailReceipt(transport: "outbox", messageID: message.messageID, acceptedAt: createdAt, reference: "\(id)", wasDuplicate: true)
        } catch let error as any PostgresErrorProtocol {
            // Bad data (class 22) or a broken constraint (23) fails again; anything else
            // (connection lost, server restarting) may pass next time.
            let lasting = error.sqlState.map { ["22", "23"].contains($0.errorClass) } ?? false
            throw MailTransportError(lasting ? .rejected : .unavailable, retryable: !lasting, "storing the mail in the outbox failed: \(error)")
        }
    }
}
