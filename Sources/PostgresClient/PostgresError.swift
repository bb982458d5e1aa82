/// Every error this module throws conforms to this: a one-line `description`, and the SQLSTATE
/// when the server (or libpq) reported one.
public protocol PostgresErrorProtocol: Error, CustomStringConvertible, Sendable {
    /// The five-character SQLSTATE, if the error came with one.
    var sqlState: PostgresSQLState? { get }
}

extension PostgresErrorProtocol {
    /// True for the failures a transaction may simply run again: serialization failure (40001)
    /// and deadlock (40P01).
    public var isRetryableTransactionFailure: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
}

/// An error reported by the PostgreSQL server (an ErrorResponse), with its diagnostic fields.
public struct PostgresError: PostgresErrorProtocol, Equatable {
    public var sqlState: PostgresSQLState?
    /// ERROR, FATAL or PANIC (non-localized).
    public var severity: String
    public var message: String
    public var detail: String?
    public var hint: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var constraintName: String?
    /// 1-based character position of the error in the statement, when reported.
    public var position: Int?

    public init(
        sqlState: PostgresSQLState?, severity: String = "ERROR", message: String, detail: String? = nil,
        hint: String? = nil, schemaName: String? = nil, tableName: String? = nil, columnName: String? = nil,
        constraintName: String? = nil, position: Int? = nil
    ) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.constraintName = constraintName
        self.position = position
    }

    /// One line: `PostgreSQL ERROR 23505: duplicate key value ... (detail: Key (id)=(1) already exists.)`
    public var description: String {
        var line = "PostgreSQL \(severity)"
        if let sqlState { line += " \(sqlState.code)" }
        line += ": \(message.oneLine)"
        var extras: [String] = []
        if let detail { extras.append("detail: \(detail.oneLine)") }
        if let hint { extras.append("hint: \(hint.oneLine)") }
        if let position { extras.append("at character \(position)") }
        if !extras.isEmpty { line += " (" + extras.joined(separator: "; ") + ")" }
        return line
    }
}

/// An error raised on the client side: connecting, a lost connection, a closed pool, misuse.
public struct PostgresClientError: PostgresErrorProtocol, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The server could not be reached (refused, timed out, unknown host, no socket).
        case unreachable
        /// The server was reached but refused the session (authentication, unknown database, ...).
        case connectionRejected
        /// The connection broke while in use.
        case connectionLost
        /// The connection, listener or pool was already closed.
        case closed
        /// The task was cancelled.
        case cancelled
        /// Waited too long for a pooled connection.
        case timedOut
        /// A transaction could not commit because one of its statements had failed (the error was
        /// caught inside the transaction body and not rethrown); `sqlState` is that statement's.
        case transactionAborted
        /// libpq reported a failure that is none of the above; `message` keeps its text.
        case libpq
        /// The caller passed something PostgreSQL cannot take (e.g. a NUL byte in text, a bad channel name).
        case invalidArgument
        /// The server answered something this client did not expect.
        case protocolViolation
    }

    public var kind: Kind
    public var message: String
    public var sqlState: PostgresSQLState?

    public init(_ kind: Kind, _ message: String, sqlState: PostgresSQLState? = nil) {
        self.kind = kind
        self.message = message.oneLine
        self.sqlState = sqlState
    }

    public var description: String { message }
}

/// A value could not be decoded from a result column.
public struct PostgresDecodingError: PostgresErrorProtocol, Equatable {
    public var column: String
    public var columnIndex: Int
    public var columnType: PostgresDataType
    public var targetType: String
    public var reason: String
    public var sqlState: PostgresSQLState? { nil }

    public var description: String {
        "cannot decode column \(columnIndex) \"\(column)\" (\(columnType)) as \(targetType): \(reason)"
    }
}

/// A migration run could not proceed.
public struct MigrationError: PostgresErrorProtocol {
    public enum Kind: String, Sendable {
        case directoryUnreadable, badFileName, duplicateVersion, checksumMismatch, migrationFailed
    }
    public var kind: Kind
    public var message: String
    /// The server error underneath, when a migration's SQL failed.
    public var underlying: (any PostgresErrorProtocol)?
    public var sqlState: PostgresSQLState? { underlying?.sqlState }
    public var description: String { message }

    public init(_ kind: Kind, _ message: String, underlying: (any PostgresErrorProtocol)? = nil) {
        self.kind = kind
        self.message = message.oneLine
        self.underlying = underlying
    }
}

extension String {
    /// Newlines and tabs folded into single spaces, trimmed: error descriptions are one line.
    var oneLine: String {
        split(whereSeparator: { $0.isNewline || $0 == "\t" })  // "\r\n" is one Character
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
