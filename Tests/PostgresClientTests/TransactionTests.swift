import Foundation
import PostgresClient
import Testing

@Suite("Transactions")
struct TransactionTests {
    /// Write skew under SERIALIZABLE: each transaction reads the other's row and writes its
    /// own. Both read before either writes (latches, no sleeps), so PostgreSQL must fail one of
    /// them with 40001 — at its UPDATE or at COMMIT.
    private func provokeWriteSkew(
        _ pool: PostgresPool, retry: PostgresRetryPolicy
    ) async throws -> (attempts: [Int], results: [Result<Void, any Error>]) {
        try await pool.executeScript(
            """
            create table doctors (id int primary key, on_call bool not null);
            insert into doctors values (1, true), (2, true);
            """)
        let readBy = [1: AsyncLatch(), 2: AsyncLatch()]
        let finished = [1: AsyncLatch(), 2: AsyncLatch()]
        let attempts = [1: Counter(), 2: Counter()]

        @Sendable func goOffCall(_ me: Int, _ other: Int) async throws {
            defer { finished[me]!.open() }
            try await pool.transaction(isolation: .serializable, retry: retry) { tx in
                let attempt = attempts[me]!.increment()
                if attempt > 1 {
                    // Retrying: run again once the winner is done, as a real client's later
                    // retry would; otherwise the retry may race the winner's commit again.
                    await finished[other]!.wait()
                }
                let othersOnCall = try await tx.query("select on_call from doctors where id = $1", [other]).singleValue(Bool.self)
                if attempt == 1 {
                    readBy[me]!.open()
                    await readBy[other]!.wait()  // both have read before anyone writes
                }
                if othersOnCall == true {
                    try await tx.execute("update doctors set on_call = false where id = $1", [me])
                }
            }
        }

        async let first: Result<Void, any Error> = { do { try await goOffCall(1, 2); return .success(()) } catch { return .failure(error) } }()
        async let second: Result<Void, any Error> = { do { try await goOffCall(2, 1); return .success(()) } catch { return .failure(error) } }()
        let results = await [first, second]
        return ([attempts[1]!.current, attempts[2]!.current], results)
    }

    @Test func serializationFailureIsRetriedAndTheRetryCommits() async throws {
        try await withTestPool(size: 2) { pool, _ in
            let (attempts, results) = try await provokeWriteSkew(pool, retry: .default)
            for result in results { try result.get() }  // both committed
            #expect(attempts.sorted() == [1, 2])  // exactly one was run again
            // The retry saw the other's committed write: only one doctor went off call.
            let onCall = try await pool.query("select count(*) from doctors where on_call").singleValue(Int.self)
            #expect(onCall == 1)
        }
    }

    @Test func withoutRetryTheSerializationFailureSurfacesAs40001() async throws {
        try await withTestPool(size: 2) { pool, _ in
            let (attempts, results) = try await provokeWriteSkew(pool, retry: .never)
            #expect(attempts == [1, 1])
            let failures = results.compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error } else { return nil }
            }
            #expect(failures.count == 1)
            let failure = try #require(failures.first as? any PostgresErrorProtocol)
            #expect(failure.sqlState == .serializationFailure)
            #expect(failure.isRetryableTransactionFailure)
        }
    }

    @Test func deadlockIsRetried() async throws {
        try await withTestPool(size: 2) { pool, _ in
            try await pool.executeScript("create table slots (id int primary key, n int); insert into slots values (1, 0), (2, 0);")
            let locked = [1: AsyncLatch(), 2: AsyncLatch()]
            let attempts = [1: Counter(), 2: Counter()]
            @Sendable func bump(_ first: Int, _ second: Int) async throws {
                try await pool.transaction { tx in
                    let attempt = attempts[first]!.increment()
                    try await tx.execute("update slots set n = n + 1 where id = $1", [first])
                    if attempt == 1 {
                        locked[first]!.open()
                        await locked[second]!.wait()  // each holds one row lock and wants the other's
                    }
                    try await tx.execute("update slots set n = n + 1 where id = $1", [second])
                }
            }
            async let a: Void = bump(1, 2)
            async let b: Void = bump(2, 1)
            _ = try await (a, b)
            #expect(attempts[1]!.current + attempts[2]!.current == 3)
            #expect(try await pool.query("select n from slots order by id").decodeColumn(Int.self) == [2, 2])
        }
    }

    @Test func errorRollsBackAndConnectionIsReused() async throws {
        try await withTestPool(size: 1) { pool, _ in
            try await pool.executeScript("create table notes (id int primary key)")
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await pool.transaction { tx in
                    try await tx.execute("insert into notes values ($1)", [1])
                    throw Boom()
                }
            }
            #expect(try await pool.query("select count(*) from notes").singleValue(Int.self) == 0)
            let isolation = try await pool.transaction(isolation: .repeatableRead, readOnly: true) { tx in
                try await tx.query("show transaction_isolation").singleValue(String.self)
            }
            #expect(isolation == "repeatable read")
            // A swallowed statement error does not let COMMIT pretend success.
            let swallowed = await #expect(throws: PostgresClientError.self) {
                try await pool.transaction { tx in
                    _ = try? await tx.execute("select 1 / $1", [0])
                }
            }
            #expect(swallowed?.kind == .transactionAborted)
            #expect(swallowed?.sqlState == "22012")  // division_by_zero
            #expect(pool.counts.open == 1)
        }
    }
}
