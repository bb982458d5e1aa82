import Logging

/// Transaction isolation levels (READ UNCOMMITTED behaves as READ COMMITTED in PostgreSQL).
public enum PostgresIsolationLevel: String, Sendable, CaseIterable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// How often a transaction is run again after a serialization failure (40001) or a deadlock
/// (40P01), and how long to wait in between (exponential, with jitter, capped).
public struct PostgresRetryPolicy: Sendable {
    /// Total attempts, the first included; 1 means no retry.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int, initialBackoff: Duration = .milliseconds(5), maxBackoff: Duration = .milliseconds(250)) {
        precondition(maxAttempts >= 1, "a transaction needs at least one attempt")
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Five attempts, 5 ms doubling up to 250 ms.
    public static let `default` = PostgresRetryPolicy(maxAttempts: 5)
    /// One attempt: a serialization failure is thrown to the caller.
    public static let never = PostgresRetryPolicy(maxAttempts: 1)

    /// The pause after failed attempt `attempt` (1-based): full jitter over the capped exponential.
    func backoff(after attempt: Int) -> Duration {
        var ceiling = initialBackoff
        for _ in 1..<max(1, attempt) where ceiling < maxBackoff { ceiling = ceiling * 2 }
        ceiling = min(ceiling, maxBackoff)
        return ceiling * Double.random(in: 0.5...1.0)
    }
}

extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT; any error rolls back and is rethrown. On a
    /// serialization failure or deadlock (also when raised by COMMIT) the whole transaction,
    /// `body` included, runs again, up to `retry.maxAttempts` times: `body` must therefore be
    /// safe to repeat (no side effects outside the database).
    ///
    ///     try await connection.transaction(isolation: .serializable) { tx in
    ///         try await tx.execute("update accounts set balance = balance - $1 where id = $2", [amount, id])
    ///     }
    public func transaction<T>(
        isolation: PostgresIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        retry: PostgresRetryPolicy = .default,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transactionAttempt(isolation: isolation, readOnly: readOnly, body)
            } catch let error as any PostgresErrorProtocol where error.isRetryableTransactionFailure && attempt < retry.maxAttempts {
                let pause = retry.backoff(after: attempt)
                logger.debug(
                    "postgres transaction retried",
                    metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState?.code ?? "")", "backoff": "\(pause)"])
                try await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }

    private func transactionAttempt<T>(
        isolation: PostgresIsolationLevel,
        readOnly: Bool,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let state = health.withLock { $0.transaction }
        guard state == .idle else {
            throw PostgresClientError(.invalidArgument, "transaction() called while a transaction is already open on this connection")
        }
        health.withLock { $0.lastSQLState = nil }
        try await execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
        do {
            let value = try await body(self)
            let (failed, lastState) = health.withLock { ($0.transaction == .failedTransaction, $0.lastSQLState) }
            if failed {
                // COMMIT of an aborted transaction "succeeds" with tag ROLLBACK: say so instead.
                throw PostgresClientError(
                    .transactionAborted,
                    "the transaction was rolled back: a statement in it failed\(lastState.map { " with SQLSTATE \($0.code)" } ?? "") and the error was not rethrown",
                    sqlState: lastState)
            }
            let tag = try await query("COMMIT").commandTag
            guard tag == "COMMIT" else {
                throw PostgresClientError(.protocolViolation, "COMMIT answered \(tag)", sqlState: lastState)
            }
            return value
        } catch {
            await rollbackIfOpen()
            throw error
        }
    }

    /// ROLLBACK when a transaction is still open and the connection can still talk.
    func rollbackIfOpen() async {
        let (state, usable) = health.withLock { ($0.transaction, !$0.isBroken && !$0.isClosed) }
        guard usable, state != .idle else { return }
        do {
            try await executeForCleanup("ROLLBACK")
        } catch {
            logger.warning("postgres rollback failed", metadata: ["error": "\(error)"])
        }
    }
}
