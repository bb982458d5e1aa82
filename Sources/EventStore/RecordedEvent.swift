import Foundation
import NATSClient

/// An event as read back: where it is stored, its envelope, and its decoded body.
public struct RecordedEvent: Sendable {
    public let subject: String
    /// Stream sequence: the event's global position and its subject's version after it.
    public let sequence: UInt64
    public let envelope: EventEnvelope
    /// The decoded body (newest version of its type), or `UnknownEvent`.
    public let event: any Sendable
    /// When the server stored it.
    public let storedAt: Date

    public func event<Event>(as type: Event.Type) -> Event? { event as? Event }
}

extension EventTypeRegistry {
    /// Decodes a stored message into an event, checking the envelope.
    public func decode(_ message: StreamMessage) throws -> RecordedEvent {
        let envelope = try EventEnvelope(headers: message.headers)
        let event = try decode(type: envelope.type, version: envelope.version, body: Data(message.payload))
        return RecordedEvent(subject: message.subject, sequence: message.sequence, envelope: envelope, event: event, storedAt: message.time)
    }
}

extension EventTypeRegistry {
    /// Just the event of a fetched message, for readers that need no more (a rebuild folds a
    /// million): the body is decoded straight from libnats' buffer, and the envelope's required
    /// headers are checked as `decode(_:)` checks them, without building the envelope.
    public func decodeEvent(_ message: RawMessage) throws -> any Sendable {
        guard let type = message.header(EventEnvelope.Header.type) else { throw EventStoreError.malformed("missing \(EventEnvelope.Header.type) header") }
        guard let version = message.withHeader(EventEnvelope.Header.version, { Int(String(decoding: $0, as: UTF8.self)) }) ?? nil else {
            throw EventStoreError.malformed("missing or bad \(EventEnvelope.Header.version) header")
        }
        guard message.withHeader(EventEnvelope.Header.occurredAt, { Timestamp.parseUTC($0) ?? Timestamp.parse(String(decoding: $0, as: UTF8.self)) }) ?? nil != nil else {
            throw EventStoreError.malformed("missing or bad \(EventEnvelope.Header.occurredAt) header")
        }
        return try message.withPayload { try decode(type: type, version: version, body: $0) }
    }
}
