import Foundation
import PostgresClient
import Testing

@Suite("LISTEN/NOTIFY")
struct ListenerTests {
    @Test func listenerReceivesNotify() async throws {
        try await withTestPool { pool, _ in
            let listener = try await pool.makeListener()
            let stream = listener.notifications()
            try await listener.listen("booking_changed")
            try await listener.listen("Mixed_Case$1")

            try await pool.notify(channel: "booking_changed", payload: "first 'quoted' \\ 🐢")
            try await pool.notify(channel: "not_listened", payload: "ignored")
            try await pool.notify(channel: "Mixed_Case$1", payload: "")
            // Delivered at commit, in commit order.
            try await pool.transaction { tx in
                try await tx.notify(channel: "booking_changed", payload: "from a transaction")
            }

            var received: [PostgresNotification] = []
            for try await note in stream {
                received.append(note)
                if received.count == 3 { break }
            }
            #expect(received.map(\.channel) == ["booking_changed", "Mixed_Case$1", "booking_changed"])
            #expect(received.map(\.payload) == ["first 'quoted' \\ 🐢", "", "from a transaction"])
            #expect(received.allSatisfy { $0.processID > 0 })

            try await listener.unlisten("Mixed_Case$1")
            await listener.close()
        }
    }

    @Test func channelNamesAreValidated() async throws {
        let configuration = try await makeTestDatabase()
        let listener = try await PostgresListener.connect(configuration)
        for bad in ["", "1abc", "a b", "x\"; drop table t; --", "dot.ted", String(repeating: "a", count: 64)] {
            let error = await #expect(throws: PostgresClientError.self) { try await listener.listen(bad) }
            #expect(error?.kind == .invalidArgument)
        }
        await listener.close()
        await #expect(throws: PostgresClientError.self) { try await listener.listen("fine") }
    }

    @Test func streamsEndWhenTheServerDropsTheListener() async throws {
        try await withTestPool { pool, configuration in
            let listener = try await PostgresListener.connect(configuration)
            let stream = listener.notifications()
            try await listener.listen("doomed")
            try await pool.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'")
            await #expect(throws: (any Error).self) {
                for try await _ in stream {}
            }
            await listener.close()
        }
    }
}
