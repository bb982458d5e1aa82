/// Every failure the NATS client reports. Conforming types keep the raw code of the layer
/// that failed, so callers can branch on it without parsing text.
public protocol NATSErrorProtocol: Error, CustomStringConvertible, Sendable {}

/// A failure of the client library itself or of the connection: keeps libnats' `natsStatus`.
public struct NATSError: NATSErrorProtocol, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached at all (connect time).
        case unreachable
        /// A request got no reply in time.
        case timeout
        /// Nobody listens on the subject (e.g. no stream captures it).
        case noResponders
        /// The connection is closed or being drained.
        case connectionClosed
        /// A value we were about to send is not acceptable (subject, header).
        case invalidArgument
        /// The server answered something this client does not understand.
        case protocolViolation
        /// Anything else libnats reported.
        case library
    }

    public let kind: Kind
    /// The raw `natsStatus` code when libnats produced the error, else `nil`.
    public let status: Int32?
    public let message: String

    public init(kind: Kind, status: Int32? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public var description: String { message }
}

/// An error answer from the JetStream API: keeps the HTTP-like `code` and the JetStream
/// `err_code` (10071 wrong last sequence, 10059 stream not found, ...).
public struct JetStreamError: NATSErrorProtocol, Equatable {
    public let code: Int
    public let errorCode: Int
    public let text: String

    public init(code: Int, errorCode: Int, text: String) {
        self.code = code
        self.errorCode = errorCode
        self.text = text
    }

    public var description: String { "JetStream error \(errorCode) (\(code)): \(text)" }

    /// Stable JetStream error codes the rest of Almanac reacts to.
    public static let wrongLastSequence = 10071
    public static let streamNotFound = 10059
    public static let consumerNotFound = 10014
    public static let messageNotFound = 10037
    public static let streamNameInUse = 10058
    public static let batchIncomplete = 10176
    public static let atomicPublishDisabled = 10174

    /// The server rejected an optimistic-concurrency expectation: someone else appended first.
    public var isWrongLastSequence: Bool { errorCode == Self.wrongLastSequence }
}
