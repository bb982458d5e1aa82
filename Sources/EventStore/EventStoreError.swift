/// Why an append or a read failed, in terms of the event store. Errors from the NATS layer
/// (`NATSError`, `JetStreamError`) pass through unchanged.
public enum EventStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Someone else appended first: the subject is not at the expected version.
    case wrongExpectedVersion(subject: String?, expected: ExpectedVersion, actual: UInt64?)
    /// The event's type is not registered, so it cannot be written.
    case unregisteredType(String)
    /// A stored event does not have the envelope headers or a body its type can decode.
    case malformed(String)
    /// A stored event is newer than this build knows how to read.
    case unsupportedVersion(type: String, version: Int, newest: Int)
    /// Bad arguments: too many events, nothing to append, an invalid subject.
    case invalidAppend(String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let subject, let expected, let actual):
            "\(subject ?? "a subject of the batch") is not at the expected version \(expected)" + (actual.map { " (it is at \($0))" } ?? "")
        case .unregisteredType(let type): "event type \(type) is not registered"
        case .malformed(let why): "malformed event: \(why)"
        case .unsupportedVersion(let type, let version, let newest): "\(type) v\(version) is newer than this build reads (v\(newest))"
        case .invalidAppend(let why): "invalid append: \(why)"
        }
    }
}

/// The optimistic-concurrency expectation of an append, per subject.
public enum ExpectedVersion: Sendable, Equatable, CustomStringConvertible {
    /// No check.
    case any
    /// The subject must have no event yet.
    case noStream
    /// The subject's last event must be at this stream sequence.
    case sequence(UInt64)

    var lastSubjectSequence: UInt64? {
        switch self {
        case .any: nil
        case .noStream: 0
        case .sequence(let sequence): sequence
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .sequence(let sequence): "#\(sequence)"
        }
    }
}
