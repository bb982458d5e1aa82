import Logging

/// A NOTIFY received by a listener.
public struct PostgresNotification: Sendable, Hashable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let processID: Int32
}

/// LISTEN on a dedicated connection. While idle, its thread waits in poll(2) on the
/// connection's socket and delivers each notification to every open `notifications()` stream.
///
///     let listener = try await PostgresListener.connect(configuration)
///     let stream = listener.notifications()
///     try await listener.listen("booking_changed")
///     for try await note in stream { ... }
///
/// Channel names are case-sensitive and must be plain identifiers (`[A-Za-z_][A-Za-z0-9_$]*`,
/// at most 63 bytes); use the same spelling with `notify(channel:payload:)`. If the connection
/// is lost, every stream ends with that error (no automatic reconnect: open a new listener).
public final class PostgresListener: Sendable {
    private struct Subscribers {
        var streams: [Int: AsyncThrowingStream<PostgresNotification, any Error>.Continuation] = [:]
        var nextID = 0
        var finished: (any Error)?? = nil  // .some(nil): closed; .some(error): lost
    }

    private let connection: PostgresConnection
    private let subscribers = Locked(Subscribers())

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Opens the listener's own connection.
    public static func connect(
        _ configuration: PostgresConfiguration, logger: Logger = Logger(label: "almanac.postgres.listener")
    ) async throws -> PostgresListener {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        let listener = PostgresListener(connection: connection)
        let subscribers = listener.subscribers  // the thread's handler holds this box, not the listener
        try await connection.thread.run { context in
            context.onSocketReadable = { context in
                Self.pump(context, subscribers)
            }
        }
        return listener
    }

    deinit {
        finish(with: nil)
    }

    /// A stream of every notification on the channels listened to, from now on. Several
    /// streams may be open; each gets every notification. Ends when the listener closes.
    public func notifications() -> AsyncThrowingStream<PostgresNotification, any Error> {
        let (stream, continuation) = AsyncThrowingStream<PostgresNotification, any Error>.makeStream()
        let (id, finished) = subscribers.withLock { state -> (Int, (any Error)??) in
            state.nextID += 1
            if state.finished == nil { state.streams[state.nextID] = continuation }
            return (state.nextID, state.finished)
        }
        if let finished {
            continuation.finish(throwing: finished)
        } else {
            let subscribers = self.subscribers
            continuation.onTermination = { _ in
                subscribers.withLock { _ = $0.streams.removeValue(forKey: id) }
            }
        }
        return stream
    }

    /// `LISTEN "channel"`.
    public func listen(_ channel: String) async throws {
        try await run("LISTEN \(try Self.quotedChannel(channel))")
    }

    /// `UNLISTEN "channel"`.
    public func unlisten(_ channel: String) async throws {
        try await run("UNLISTEN \(try Self.quotedChannel(channel))")
    }

    /// Ends every stream and closes the connection.
    public func close() async {
        finish(with: nil)
        await connection.close()
    }

    static func quotedChannel(_ channel: String) throws -> String {
        // LISTEN takes an identifier, not a parameter: only plain names pass, and they are quoted.
        guard PostgresIdentifier.isPlain(channel) else {
            throw PostgresClientError(
                .invalidArgument,
                "invalid channel name \"\(channel)\": use letters, digits, _ or $ (not first), at most 63 bytes")
        }
        return try PostgresIdentifier.quote(channel)
    }

    private func run(_ statement: String) async throws {
        let subscribers = self.subscribers
        try await connection.withLibPQ { connection in
            try connection.executeScript(statement)
            // Notifications that arrived with the answer are already in libpq's buffer, where
            // poll(2) would not see them: deliver them now.
            Self.deliver(try connection.consumeNotifications(), subscribers)
        }
    }

    /// On the connection thread, when the socket is readable.
    private static func pump(_ context: ThreadContext, _ subscribers: Locked<Subscribers>) {
        guard let connection = context.connection else {
            context.onSocketReadable = nil
            return
        }
        do {
            deliver(try connection.consumeNotifications(), subscribers)
        } catch {
            context.onSocketReadable = nil  // stop watching a dead socket
            finish(subscribers, with: error)
        }
    }

    private static func deliver(_ notifications: [PostgresNotification], _ subscribers: Locked<Subscribers>) {
        guard !notifications.isEmpty else { return }
        let streams = subscribers.withLock { Array($0.streams.values) }
        for notification in notifications {
            for stream in streams { stream.yield(notification) }
        }
    }

    private func finish(with error: (any Error)?) {
        Self.finish(subscribers, with: error)
    }

    private static func finish(_ subscribers: Locked<Subscribers>, with error: (any Error)?) {
        let streams = subscribers.withLock { state -> [AsyncThrowingStream<PostgresNotification, any Error>.Continuation] in
            if state.finished == nil { state.finished = .some(error) }
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish(throwing: error) }
    }
}

extension PostgresPool {
    /// A listener on a connection of its own (not one of the pool's), same configuration.
    public func makeListener() async throws -> PostgresListener {
        try await PostgresListener.connect(configuration, logger: logger)
    }
}
