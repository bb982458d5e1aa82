import Foundation
import Mail
import PostgresClient
import Testing
import TestSupport

/// A pool on a fresh database with every migration applied.
func withMigratedDatabase<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
    let conninfo = try await TestServers.shared().makeDatabase(prefix: "mail")
    let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 4)
    do {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try await Migrator(directory: root.appendingPathComponent("schemas/sql")).migrate(pool)
        let value = try await body(pool)
        await pool.close()
        return value
    } catch {
        await pool.close()
        throw error
    }
}

@Suite struct OutboxTransportTests {
    @Test func givenAMessage_whenSentToTheOutbox_thenOneRowHoldsEverything() async throws {
        try await withMigratedDatabase { pool in
            let transport = OutboxTransport(pool: pool)
            let message = try MailMessage(
                from: MailAddress("noreply@almanac.test", name: "Almanac"),
                to: [MailAddress("ada@example.test", name: "Ada")],
                cc: [MailAddress("carol@example.test")],
                bcc: [MailAddress("audit@example.test")],
                subject: "Schreibtisch 7 gebucht",
                textBody: "Grüße",
                htmlBody: "<p>Grüße</p>",
                headers: [MailHeader(name: "X-Almanac-Flow", value: "confirmation")],
                origin: MailOrigin(runID: "run-7", stepID: "confirm")
            )
            let receipt = try await transport.send(message)
            #expect(receipt.transport == "outbox")
            #expect(!receipt.wasDuplicate)
            #expect(receipt.messageID.value == "<almanac.run-7.confirm@almanac.test>")

            let rows = try await pool.query(
                "select message_id, run_id, step_id, from_address, from_name, subject, text_body, html_body, status, id::text, to_addresses from mail.outbox")
            #expect(rows.count == 1)
            let (messageID, runID, stepID, from, fromName, subject, text, html, status, id, to) = try rows[0].decode(
                String.self, String.self, String.self, String.self, String?.self, String.self, String?.self, String?.self, String.self, String.self,
                PostgresJSON.self)
            #expect(messageID == "<almanac.run-7.confirm@almanac.test>")
            #expect(runID == "run-7")
            #expect(stepID == "confirm")
            #expect(from == "noreply@almanac.test")
            #expect(fromName == "Almanac")
            #expect(subject == "Schreibtisch 7 gebucht")
            #expect(text == "Grüße")
            #expect(html == "<p>Grüße</p>")
            #expect(status == "queued")
            #expect(id == receipt.reference)
            #expect(try to.decode(as: [MailAddress].self) == message.to)
        }
    }

    @Test func givenAStepRetriedAfterItsMailWasStored_whenSentAgain_thenTheFirstRowIsReturnedAndNoSecondIsAdded() async throws {
        try await withMigratedDatabase { pool in
            let transport = OutboxTransport(pool: pool)
            let first = try await transport.send(try sampleMessage(step: "remind"))
            // Concurrent retries of the same step too: still one row.
            let retries = try await withThrowingTaskGroup(of: MailReceipt.self) { group in
                for _ in 0..<5 { group.addTask { try await transport.send(try sampleMessage(step: "remind")) } }
                var receipts: [MailReceipt] = []
                for try await receipt in group { receipts.append(receipt) }
                return receipts
            }
            #expect(retries.allSatisfy { $0.wasDuplicate && $0.reference == first.reference && $0.messageID == first.messageID })
            let count = try await pool.query("select count(*)::int from mail.outbox").singleValue(Int.self)
            #expect(count == 1)
            _ = try await transport.send(try sampleMessage(step: "other"))
            #expect(try await pool.query("select count(*)::int from mail.outbox").singleValue(Int.self) == 2)
        }
    }

    @Test func givenTheConfiguredTransportIsOutbox_whenBuilt_thenItWritesThroughThePool() async throws {
        try await withMigratedDatabase { pool in
            let transport = try MailTransportConfiguration.fromEnvironment([:], defaultKind: .outbox).makeTransport(pool: pool)
            let receipt = try await transport.send(try sampleMessage())
            #expect(receipt.transport == "outbox")
            #expect(throws: MailConfigurationError.self) { try MailTransportConfiguration.outbox.makeTransport(pool: nil) }
        }
    }
}
