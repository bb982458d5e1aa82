import Foundation
import NATSClient

/// Appends events to a JetStream stream with optimistic concurrency and idempotency, and reads
/// them back decoded. One `EventStore` per stream (e.g. `BOOKINGS`).
public struct EventStore: Sendable {
    public let jetStream: JetStream
    public let stream: String
    public let registry: EventTypeRegistry

    public init(jetStream: JetStream, stream: String, registry: EventTypeRegistry) {
        self.jetStream = jetStream
        self.stream = stream
        self.registry = registry
    }

    /// Where appended events landed.
    public struct AppendResult: Sendable, Equatable {
        /// Stream sequence of each appended event, in order.
        public let sequences: [UInt64]
        /// The idempotency key was seen before: nothing was appended and `sequences` are the
        /// first attempt's.
        public let isDuplicate: Bool

        public var lastSequence: UInt64 { sequences.last ?? 0 }
    }

    /// Events for one subject inside a multi-subject atomic append.
    public struct SubjectAppend: Sendable {
        public var subject: String
        public var events: [any Sendable]
        public var expecting: ExpectedVersion

        public init(subject: String, events: [any Sendable], expecting: ExpectedVersion) {
            self.subject = subject
            self.events = events
            self.expecting = expecting
        }
    }

    /// Appends `events` to `subject` if it is at `expecting`. With an idempotency key, a
    /// retried append stores nothing and answers with the first attempt's sequences.
    /// Several events are appended as one atomic batch.
    @discardableResult
    public func append(_ events: [any Sendable], to subject: String, expecting: ExpectedVersion,
                       idempotencyKey: String? = nil, metadata: EventMetadata = .init()) async throws -> AppendResult {
        try await append([SubjectAppend(subject: subject, events: events, expecting: expecting)], idempotencyKey: idempotencyKey, metadata: metadata)
    }

    /// Appends to several subjects at once, all or nothing, each with its own expectation
    /// (e.g. moving a booking between two resources).
    @discardableResult
    public func append(_ appends: [SubjectAppend], idempotencyKey: String? = nil, metadata: EventMetadata = .init()) async throws -> AppendResult {
        let messages = try outboundMessages(appends, idempotencyKey: idempotencyKey, metadata: metadata)
        do {
            if messages.count == 1 {
                let ack = try await jetStream.publish(messages[0])
                return AppendResult(sequences: [ack.seq], isDuplicate: ack.isDuplicate)
            }
            let ack = try await jetStream.publishAtomically(messages)
            let count = UInt64(ack.count ?? messages.count)
            return AppendResult(sequences: Array((ack.seq - count + 1)...ack.seq), isDuplicate: false)
        } catch let error as JetStreamError where error.isWrongLastSequence {
            let failing = appends.count == 1 ? appends[0] : nil
            throw EventStoreError.wrongExpectedVersion(subject: failing?.subject, expected: failing?.expecting ?? .any,
                                                       actual: Self.actualSequence(in: error.text))
        } catch let error as JetStreamError where error.errorCode == Self.batchDuplicateMessageId && idempotencyKey != nil {
            // A retried batch: the server refuses it whole because its ids were stored before.
            return AppendResult(sequences: try await sequences(of: messages), isDuplicate: true)
        } catch let error as NATSError where error.kind == .noResponders {
            throw EventStoreError.invalidAppend("no stream captures \(appends.map(\.subject).joined(separator: ", "))")
        }
    }

    /// "atomic publish batch contains duplicate message id".
    static let batchDuplicateMessageId = 10201

    func outboundMessages(_ appends: [SubjectAppend], idempotencyKey: String?, metadata: EventMetadata) throws -> [OutboundMessage] {
        let total = appends.reduce(0) { $0 + $1.events.count }
        guard total > 0 else { throw EventStoreError.invalidAppend("nothing to append") }
        guard total <= JetStream.maximumBatchSize else {
            throw EventStoreError.invalidAppend("at most \(JetStream.maximumBatchSize) events in one append, got \(total)")
        }
        guard Set(appends.map(\.subject)).count == appends.count else {
            throw EventStoreError.invalidAppend("a subject appears twice; put its events together")
        }
        let occurredAt = metadata.occurredAt ?? Date()
        var messages: [OutboundMessage] = []
        var index = 0
        for append in appends {
            do { try Subject.validatePublish(append.subject) } catch { throw EventStoreError.invalidAppend("\(error)") }
            for (position, event) in append.events.enumerated() {
                let (wireName, version, body) = try registry.encode(event)
                let eventId = idempotencyKey.map { "\($0)/\(index)" } ?? UUID().uuidString.lowercased()
                let envelope = EventEnvelope(eventId: eventId, type: wireName, version: version, correlationId: metadata.correlationId,
                                             causationId: metadata.causationId, actor: metadata.actor, occurredAt: occurredAt)
                // Only the subject's first event carries the expectation: the server checks
                // every expectation against the stream as it was before the batch.
                let options = PublishOptions(messageId: eventId,
                                             expectedLastSubjectSequence: position == 0 ? append.expecting.lastSubjectSequence : nil)
                messages.append(OutboundMessage(subject: append.subject, headers: envelope.headers, payload: Array(body), options: options))
                index += 1
            }
        }
        return messages
    }

    /// Finds the stored copies of a retried batch by their message ids, reading each subject
    /// from just after the sequence the batch expected there (the copies can only be later),
    /// so a duplicate on a long-lived subject does not read its whole history.
    private func sequences(of messages: [OutboundMessage]) async throws -> [UInt64] {
        var readFrom: [String: UInt64] = [:]
        for message in messages {
            let start = (message.options.expectedLastSubjectSequence ?? 0) + 1
            readFrom[message.subject] = max(readFrom[message.subject] ?? 1, start)
        }
        var found: [String: UInt64] = [:]
        for (subject, start) in readFrom {
            for event in try await readRaw(subject: subject, from: start) {
                if let id = event.headers[EventEnvelope.Header.eventId] { found[id] = event.sequence }
            }
        }
        return try messages.map { message in
            guard let id = message.options.messageId, let sequence = found[id] else {
                throw EventStoreError.malformed("duplicate batch reported, but \(message.options.messageId ?? "?") is not stored")
            }
            return sequence
        }
    }

    /// "wrong last sequence: 5" → 5.
    static func actualSequence(in text: String) -> UInt64? {
        text.split(separator: ":").last.flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
    }

    // MARK: Reading

    /// Every event of `subject` from `sequence` on, decoded: how an aggregate is loaded.
    public func read(subject: String, from sequence: UInt64 = 1) async throws -> [RecordedEvent] {
        try await readRaw(subject: subject, from: sequence).map(registry.decode)
    }

    /// Like `read`, by batched direct gets instead of an ordered consumer: no consumer is made
    /// on the server, one request per 256 events. For small aggregates read often (a run).
    /// The answer may come from a replica behind the leader (see `JetStream.readDirect`).
    public func readDirect(subject: String, from sequence: UInt64 = 1) async throws -> [RecordedEvent] {
        try await jetStream.readDirect(stream: stream, subject: subject, from: sequence).map(registry.decode)
    }

    /// `readDirect`, unless its answer stops short of `floor` (a sequence known to be stored,
    /// e.g. the leader's last): then `read`, which the leader answers. A replica behind the
    /// leader may answer a direct get, so a caller that needs the events up to a point reads so.
    public func readDirect(subject: String, reaching floor: UInt64) async throws -> [RecordedEvent] {
        let recorded = try await readDirect(subject: subject)
        return (recorded.last?.sequence ?? 0) < floor ? try await read(subject: subject) : recorded
    }

    /// The subject's version: the sequence of its last event, nil when it has none. One request
    /// to the stream leader, nothing decoded.
    public func lastSequence(subject: String) async throws -> UInt64? {
        try await jetStream.lastMessage(stream: stream, subject: subject)?.sequence
    }

    /// The last event on `subject` and with it the subject's version, without reading the rest.
    public func lastEvent(subject: String) async throws -> RecordedEvent? {
        try await jetStream.lastMessage(stream: stream, subject: subject).map(registry.decode)
    }

    private func readRaw(subject: String, from sequence: UInt64) async throws -> [StreamMessage] {
        var messages: [StreamMessage] = []
        for try await batch in try await OrderedConsumer.start(jetStream, stream: stream, filter: subject, from: sequence, mode: .untilCaughtUp) {
            messages += batch
        }
        return messages
    }

    /// Reads the events matching `filter` from `sequence` on: the ones stored now, then (with
    /// `.live`) new ones as they arrive. Batches follow the reader's pace: a slow reader holds
    /// back delivery instead of buffering without bound.
    public func subscribe(filter: String, from sequence: UInt64 = 1, mode: OrderedConsumer.Mode = .live,
                          bufferSize: Int = 4096) async throws -> EventSubscription {
        EventSubscription(consumer: try await OrderedConsumer.start(jetStream, stream: stream, filter: filter, from: sequence,
                                                                    mode: mode, bufferSize: bufferSize),
                          registry: registry)
    }
}

/// Decoded batches of events from an ordered read of the stream.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = [RecordedEvent]
    let consumer: OrderedConsumer
    let registry: EventTypeRegistry

    public func stop() { consumer.stop() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: OrderedConsumer.AsyncIterator
        let registry: EventTypeRegistry

        public mutating func next() async throws -> [RecordedEvent]? {
            guard let batch = try await base.next() else { return nil }
            return try batch.map(registry.decode)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: consumer.makeAsyncIterator(), registry: registry)
    }
}
