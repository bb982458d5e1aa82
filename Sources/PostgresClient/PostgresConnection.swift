import Foundation
import Logging

/// One PostgreSQL session, living on a dedicated thread of its own.
///
/// Every libpq call runs on that thread; async methods suspend the caller (freeing the
/// cooperative thread) until the job is done. Use a connection from one task at a time (the
/// pool hands each out to one borrower); calls from several tasks would be serialized.
public final class PostgresConnection: Sendable {
    struct Health: Sendable {
        var isBroken = false
        var transaction: TransactionState = .idle
        var cancelRequested = false
        var isClosed = false
        /// SQLSTATE of the last failed statement, so a swallowed 40001 still makes a transaction retry.
        var lastSQLState: PostgresSQLState?
        /// Numbers the jobs, to tell a running statement from one not yet started.
        var nextCall = 0
        var runningCall: Int?
        var cancelledCalls: Set<Int> = []
    }

    let thread: ConnectionThread
    let logger: Logger
    private let cancelToken: CancelToken?
    let health = Locked(Health())
    /// A small number for logs and thread names.
    public let id: Int

    private static let nextID = Locked(0)

    private init(thread: ConnectionThread, cancelToken: CancelToken?, id: Int, logger: Logger) {
        self.thread = thread
        self.cancelToken = cancelToken
        self.id = id
        self.logger = logger
    }

    /// Opens a session. Throws a one-line `PostgresClientError` (`.unreachable` or
    /// `.connectionRejected`) when it cannot.
    public static func connect(
        _ configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "almanac.postgres")
    ) async throws -> PostgresConnection {
        let id = nextID.withLock { value -> Int in
            value += 1
            return value
        }
        var logger = logger
        logger[metadataKey: "pg.connection"] = "\(id)"
        let thread = try ConnectionThread(name: "pg-conn-\(id)")
        do {
            let connectLogger = logger
            let token = try await thread.run { context in
                let connection = try LibPQConnection.connect(configuration, logger: connectLogger)
                context.connection = connection
                return connection.makeCancelToken()
            }
            logger.debug("postgres connected")
            return PostgresConnection(thread: thread, cancelToken: token, id: id, logger: logger)
        } catch {
            thread.stop()
            throw error
        }
    }

    deinit {
        // The thread frees the PGconn (PQfinish) when it ends.
        thread.stop()
    }

    /// Closes the session and waits for its thread to end. Idempotent.
    public func close() async {
        health.withLock { $0.isClosed = true }
        await thread.stopAndWait()
    }

    /// False once closed or after the connection broke; a pool drops such connections.
    public var isUsable: Bool {
        health.withLock { !$0.isBroken && !$0.isClosed }
    }

    /// Runs `body` with the libpq handle on the connection's thread.
    ///
    /// Cancellation: if the task is cancelled before the job starts, the job does not run and
    /// throws `.cancelled`; if it is cancelled while the statement runs, the server is asked to
    /// cancel it (the statement then fails with 57014). Cleanup (ROLLBACK, ending a COPY,
    /// unlocking) passes `cancellable: false` so it runs even in a cancelled task.
    func withLibPQ<T: Sendable>(
        cancellable: Bool = true, _ body: @escaping @Sendable (LibPQConnection) throws -> T
    ) async throws -> T {
        let call = health.withLock { state -> Int in
            state.nextCall += 1
            return state.nextCall
        }
        guard cancellable else { return try await perform(call, body) }
        defer { health.withLock { _ = $0.cancelledCalls.remove(call) } }
        return try await withTaskCancellationHandler {
            try await perform(call, body)
        } onCancel: {
            self.cancel(call)
        }
    }

    private func perform<T: Sendable>(_ call: Int, _ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        let health = self.health
        return try await thread.run { context in
            guard let connection = context.connection else {
                throw PostgresClientError(.closed, "the PostgreSQL connection is closed")
            }
            let refused = health.withLock { state -> Bool in
                if state.cancelledCalls.remove(call) != nil { return true }
                state.runningCall = call
                return false
            }
            if refused { throw PostgresClientError(.cancelled, "the task was cancelled before the statement was sent") }
            defer {
                let broken = connection.isBad
                let transaction = connection.transactionStatus
                health.withLock {
                    $0.runningCall = nil
                    $0.isBroken = $0.isBroken || broken
                    $0.transaction = transaction
                }
            }
            do {
                return try body(connection)
            } catch let error as any PostgresErrorProtocol {
                health.withLock { $0.lastSQLState = error.sqlState ?? $0.lastSQLState }
                throw error
            }
        }
    }

    private func cancel(_ call: Int) {
        let running = health.withLock { state -> Bool in
            if state.runningCall == call {
                // The cancel request could land on a later statement of this session, so a
                // pool never reuses a connection that sent one.
                state.cancelRequested = true
                return true
            }
            state.cancelledCalls.insert(call)  // not started yet: it will refuse to run
            return false
        }
        if running { cancelToken?.cancelInBackground(logger: logger) }
    }

    /// One statement that runs even in a cancelled task (for cleanup).
    func executeForCleanup(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws {
        let encoded = try EncodedParameter.encode(parameters)
        _ = try await withLibPQ(cancellable: false) { try $0.execute(sql, encoded) }
    }

    /// Closes without waiting (the thread finishes on its own). For the pool's discards.
    func shutdown() {
        health.withLock { $0.isClosed = true }
        thread.stop()
    }

    /// True when a pool may hand this connection to the next borrower.
    var isReusable: Bool {
        health.withLock { !$0.isBroken && !$0.isClosed && !$0.cancelRequested && $0.transaction == .idle }
    }

    // MARK: Queries

    /// Runs one statement with `$1, $2, ...` bound to `parameters` and returns its rows.
    ///
    ///     let rows = try await connection.query("select id, name from sites where region = $1", [region])
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresQueryResult {
        let encoded = try EncodedParameter.encode(parameters)
        return try await withLibPQ { try $0.execute(sql, encoded) }
    }

    /// Runs one statement with bound parameters and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows ?? 0
    }

    /// Runs a script of `;`-separated statements without parameters (the simple query protocol),
    /// e.g. a migration file. Never build such a script from untrusted values.
    public func executeScript(_ sql: String) async throws {
        try await withLibPQ { try $0.executeScript(sql) }
    }

    /// `select pg_notify($1, $2)`: the channel is case-sensitive here and in PostgresListener.
    public func notify(channel: String, payload: String = "") async throws {
        try await execute("select pg_notify($1, $2)", [channel, payload])
    }
}
