import Logging

/// A bounded set of connections, each on its own thread, opened on demand and reused.
///
///     let pool = PostgresPool(PostgresConfiguration(conninfo: "host=127.0.0.1 dbname=almanac"), size: 8)
///     let names = try await pool.query("select name from sites where id = $1", [id]).decodeColumn(String.self)
///     try await pool.transaction(isolation: .serializable) { tx in ... }
///     await pool.close()
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    /// The most connections open at once.
    public let size: Int
    let logger: Logger

    /// What a borrower gets: a connection, or permission to open one (a counted slot).
    private enum Lease: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Connections open or being opened, idle and lent out together.
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Lease, any Error>)] = []
        var cancelledWaiters: Set<Int> = []
        var nextWaiterID = 0
        var isClosed = false
    }

    private let state = Locked(State())

    public init(_ configuration: PostgresConfiguration, size: Int = 4, logger: Logger = Logger(label: "almanac.postgres")) {
        precondition(size >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.size = size
        self.logger = logger
    }

    /// Lends a connection to `body` and takes it back afterwards. A connection that broke, still
    /// has a transaction open, or had a statement cancelled is closed instead of reused.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Open connections and idle ones (for metrics and tests).
    public var counts: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.open, $0.idle.count, $0.waiters.count) }
    }

    /// Closes idle connections now and lent ones when they come back; waiting borrowers fail.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            defer {
                state.open -= state.idle.count
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.closedError) }
        for connection in idle { await connection.close() }
    }

    private static let closedError = PostgresClientError(.closed, "the PostgreSQL pool is closed")

    // MARK: Lending

    private func acquire() async throws -> PostgresConnection {
        while true {
            let id = state.withLock { state -> Int in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            let lease = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                    let immediate = state.withLock { state -> Result<Lease, any Error>? in
                        if state.isClosed { return .failure(Self.closedError) }
                        if state.cancelledWaiters.remove(id) != nil {
                            return .failure(PostgresClientError(.cancelled, "cancelled while waiting for a PostgreSQL connection"))
                        }
                        if let connection = state.idle.popLast() { return .success(.connection(connection)) }
                        if state.open < size {
                            state.open += 1
                            return .success(.slot)
                        }
                        state.waiters.append((id, continuation))
                        return nil
                    }
                    if let immediate { continuation.resume(with: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
                    if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                        return state.waiters.remove(at: index).continuation
                    }
                    state.cancelledWaiters.insert(id)  // not queued yet: refuse it when it arrives
                    return nil
                }
                waiter?.resume(throwing: PostgresClientError(.cancelled, "cancelled while waiting for a PostgreSQL connection"))
            }
            state.withLock { _ = $0.cancelledWaiters.remove(id) }

            switch lease {
            case .connection(let connection):
                if connection.isReusable { return connection }
                discard(connection)  // broke while idle (e.g. server restart): try again
            case .slot:
                do {
                    return try await PostgresConnection.connect(configuration, logger: logger)
                } catch {
                    giveBackSlot()
                    throw error
                }
            }
        }
    }

    private func release(_ connection: PostgresConnection) {
        guard connection.isReusable else {
            discard(connection)
            return
        }
        enum Outcome { case handOff(CheckedContinuation<Lease, any Error>), kept, poolClosed }
        let outcome = state.withLock { state -> Outcome in
            if state.isClosed {
                state.open -= 1
                return .poolClosed
            }
            if !state.waiters.isEmpty { return .handOff(state.waiters.removeFirst().continuation) }
            state.idle.append(connection)
            return .kept
        }
        switch outcome {
        case .handOff(let waiter): waiter.resume(returning: .connection(connection))
        case .poolClosed: connection.shutdown()
        case .kept: break
        }
    }

    private func discard(_ connection: PostgresConnection) {
        logger.debug("postgres connection discarded", metadata: ["pg.connection": "\(connection.id)"])
        connection.shutdown()
        giveBackSlot()
    }

    /// A connection slot became free: a waiter may open a new connection with it.
    private func giveBackSlot() {
        let waiter = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
            if state.isClosed || state.waiters.isEmpty {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst().continuation  // the slot passes on: `open` unchanged
        }
        waiter?.resume(returning: .slot)
    }
}

extension PostgresPool {
    /// One statement on a pooled connection; see `PostgresConnection.query`.
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresQueryResult {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// One statement on a pooled connection; returns the affected row count.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await withConnection { try await $0.execute(sql, parameters) }
    }

    /// A parameterless script on a pooled connection; see `PostgresConnection.executeScript`.
    public func executeScript(_ sql: String) async throws {
        try await withConnection { try await $0.executeScript(sql) }
    }

    /// A transaction on one pooled connection, retried on serialization failure and deadlock;
    /// see `PostgresConnection.transaction`.
    public func transaction<T>(
        isolation: PostgresIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        retry: PostgresRetryPolicy = .default,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.transaction(isolation: isolation, readOnly: readOnly, retry: retry, body)
        }
    }

    /// `select pg_notify($1, $2)` on a pooled connection.
    public func notify(channel: String, payload: String = "") async throws {
        try await withConnection { try await $0.notify(channel: channel, payload: payload) }
    }
}
