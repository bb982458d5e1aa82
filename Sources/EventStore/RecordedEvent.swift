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
