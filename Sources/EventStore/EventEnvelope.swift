import Foundation
import NATSClient

/// What travels with every event besides its body, as message headers (architecture: Events).
public struct EventEnvelope: Sendable, Equatable {
    /// `Nats-Msg-Id`: the event id, derived from the command's idempotency key when there is one.
    public var eventId: String
    /// `Almanac-Event-Type`: the stable wire name, e.g. `booking.placed`.
    public var type: String
    /// `Almanac-Event-Version`: the schema version the body was written with.
    public var version: Int
    public var correlationId: String?
    public var causationId: String?
    /// Who caused it: a person's subject id, or a service name.
    public var actor: String?
    /// When it happened, in UTC.
    public var occurredAt: Date

    public init(eventId: String, type: String, version: Int, correlationId: String? = nil, causationId: String? = nil,
                actor: String? = nil, occurredAt: Date) {
        self.eventId = eventId
        self.type = type
        self.version = version
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.occurredAt = occurredAt
    }

    public enum Header {
        public static let eventId = "Nats-Msg-Id"
        public static let type = "Almanac-Event-Type"
        public static let version = "Almanac-Event-Version"
        public static let correlationId = "Almanac-Correlation-Id"
        public static let causationId = "Almanac-Causation-Id"
        public static let actor = "Almanac-Actor"
        public static let occurredAt = "Almanac-Occurred-At"
    }

    var headers: NATSHeaders {
        var headers = NATSHeaders()
        headers[Header.eventId] = eventId
        headers[Header.type] = type
        headers[Header.version] = String(version)
        if let correlationId { headers[Header.correlationId] = correlationId }
        if let causationId { headers[Header.causationId] = causationId }
        if let actor { headers[Header.actor] = actor }
        headers[Header.occurredAt] = Timestamp.format(occurredAt)
        return headers
    }

    init(headers: NATSHeaders) throws(EventStoreError) {
        guard let type = headers[Header.type] else { throw .malformed("missing \(Header.type) header") }
        guard let version = headers[Header.version].flatMap(Int.init) else { throw .malformed("missing or bad \(Header.version) header") }
        guard let occurred = headers[Header.occurredAt].flatMap(Timestamp.parse) else { throw .malformed("missing or bad \(Header.occurredAt) header") }
        self.init(eventId: headers[Header.eventId] ?? "", type: type, version: version,
                  correlationId: headers[Header.correlationId], causationId: headers[Header.causationId],
                  actor: headers[Header.actor], occurredAt: occurred)
    }
}

/// What a caller says about the events it appends; the store fills in ids and types.
public struct EventMetadata: Sendable, Equatable {
    public var correlationId: String?
    public var causationId: String?
    public var actor: String?
    public var occurredAt: Date?

    public init(correlationId: String? = nil, causationId: String? = nil, actor: String? = nil, occurredAt: Date? = nil) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.actor = actor
        self.occurredAt = occurredAt
    }
}
