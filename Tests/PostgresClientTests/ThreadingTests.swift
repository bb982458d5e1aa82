import Foundation
import PostgresClient
import Testing

@Suite("Dedicated threads")
struct ThreadingTests {
    /// Eight statements that can only finish once all eight are running in the server at the
    /// same time (a barrier in SQL). Swift's cooperative pool has 2 threads on this 2-core
    /// machine: if libpq calls blocked it, at most two could be in flight and the barrier would
    /// never open. On dedicated threads all eight wait together and it opens.
    @Test func blockingCallsOverlapBeyondTheCooperativePool() async throws {
        try await withTestPool(size: 8) { pool, _ in
            // A sequence is the barrier's counter: nextval is visible to other sessions at once
            // (not at commit) and only grows, so no session can miss the moment all arrived.
            let tag = "barrier_\(UUID().uuidString.prefix(8).lowercased())"
            try await pool.executeScript("create sequence \(tag)")
            let barrier = """
                do $$ begin
                  perform nextval('\(tag)');
                  while (select last_value from \(tag)) < 8 loop
                    perform pg_sleep(0.01);
                  end loop;
                end $$
                """
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await pool.executeScript(barrier) } }
                // Bounded: a deadlocked barrier fails the test instead of hanging it.
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    throw CancellationError()
                }
                for _ in 0..<8 { try await group.next() }
                group.cancelAll()
            }
            #expect(pool.counts.open == 8)
        }
    }

    @Test func poolBoundsConnectionsAndQueuesBorrowers() async throws {
        try await withTestPool(size: 2) { pool, _ in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<20 { group.addTask { try await pool.query("select $1::int8", [i]).singleValue(Int.self)! } }
                var sum = 0
                for try await value in group { sum += value }
                #expect(sum == 190)
            }
            #expect(pool.counts.open <= 2)
            let backends = try await pool.query(
                "select count(*) from pg_stat_activity where datname = current_database()").singleValue(Int.self)
            #expect(backends! <= 2)
        }
    }

    @Test func cancellingATaskCancelsItsStatement() async throws {
        try await withTestPool(size: 1) { pool, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let task = Task { try await pool.execute("select pg_sleep(30)") }
            // Wait until the statement is running in the server, then cancel the task.
            let monitor = try await PostgresConnection.connect(pool.configuration)
            while try await monitor.query(
                "select count(*) from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'"
            ).singleValue(Int.self) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            await monitor.close()
            task.cancel()
            let error = await #expect(throws: PostgresError.self) { try await task.value }
            #expect(error?.sqlState == .queryCanceled)
            #expect(clock.now - start < .seconds(10))
            // The pool replaced the connection that saw a cancel request; it still works.
            #expect(try await pool.query("select 1").singleValue(Int.self) == 1)
        }
    }

    @Test func cancelledTaskSendsNoFurtherStatementAndStillRollsBack() async throws {
        try await withTestPool(size: 1) { pool, _ in
            try await pool.executeScript("create table marks (n int)")
            let backend = try await pool.query("select pg_backend_pid()").singleValue(Int.self)
            let inserted = AsyncLatch()
            let cancelled = AsyncLatch()
            let task = Task {
                try await pool.transaction { tx in
                    try await tx.execute("insert into marks values (1)")
                    inserted.open()
                    await cancelled.wait()
                    try await tx.execute("insert into marks values (2)")  // refused: the task is cancelled
                }
            }
            await inserted.wait()
            task.cancel()
            cancelled.open()
            let error = await #expect(throws: PostgresClientError.self) { try await task.value }
            #expect(error?.kind == .cancelled)
            #expect(try await pool.query("select count(*) from marks").singleValue(Int.self) == 0)  // rolled back
            // No cancel request was needed, so the same session was kept.
            #expect(try await pool.query("select pg_backend_pid()").singleValue(Int.self) == backend)
        }
    }

    @Test func closedConnectionRefusesWork() async throws {
        let configuration = try await makeTestDatabase()
        let connection = try await PostgresConnection.connect(configuration)
        #expect(connection.isUsable)
        await connection.close()
        #expect(!connection.isUsable)
        let error = await #expect(throws: PostgresClientError.self) { try await connection.query("select 1") }
        #expect(error?.kind == .closed)
        let pool = PostgresPool(configuration)
        await pool.close()
        await #expect(throws: PostgresClientError.self) { try await pool.query("select 1") }
    }
}
