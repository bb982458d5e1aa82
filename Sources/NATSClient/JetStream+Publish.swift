import Foundation

/// A message to store in a stream.
public struct OutboundMessage: Sendable {
    public var subject: String
    public var headers: NATSHeaders
    public var payload: [UInt8]
    public var options: PublishOptions

    public init(subject: String, headers: NATSHeaders = [:], payload: [UInt8], options: PublishOptions = .init()) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
        self.options = options
    }
}

/// Per-message expectations and server features, carried as `Nats-*` headers.
public struct PublishOptions: Sendable, Equatable {
    /// `Nats-Msg-Id`: the server drops a second message with the same id inside the stream's
    /// duplicate window and answers with the first one's sequence.
    public var messageId: String?
    /// `Nats-Expected-Last-Subject-Sequence`: the sequence of the last message on this subject
    /// must be this (0 = the subject must have no message yet).
    public var expectedLastSubjectSequence: UInt64?
    /// `Nats-Expected-Last-Sequence`: the stream's last sequence must be this.
    public var expectedLastSequence: UInt64?
    /// `Nats-Expected-Stream`: refuse if the subject is captured by another stream.
    public var expectedStream: String?
    /// `Nats-TTL`: the message expires after this long (streams with `allow_msg_ttl`).
    public var ttl: Duration?
    /// `Nats-Schedule`: stored as a schedule that publishes to `target` at `at` (streams with
    /// `allow_msg_schedules`, ADR-51).
    public var schedule: MessageSchedule?

    public init(messageId: String? = nil, expectedLastSubjectSequence: UInt64? = nil, expectedLastSequence: UInt64? = nil,
                expectedStream: String? = nil, ttl: Duration? = nil, schedule: MessageSchedule? = nil) {
        self.messageId = messageId
        self.expectedLastSubjectSequence = expectedLastSubjectSequence
        self.expectedLastSequence = expectedLastSequence
        self.expectedStream = expectedStream
        self.ttl = ttl
        self.schedule = schedule
    }

    func apply(to headers: inout NATSHeaders) {
        if let messageId { headers["Nats-Msg-Id"] = messageId }
        if let expectedLastSubjectSequence { headers["Nats-Expected-Last-Subject-Sequence"] = String(expectedLastSubjectSequence) }
        if let expectedLastSequence { headers["Nats-Expected-Last-Sequence"] = String(expectedLastSequence) }
        if let expectedStream { headers["Nats-Expected-Stream"] = expectedStream }
        if let ttl { headers["Nats-TTL"] = "\(max(1, ttl.components.seconds))s" }
        if let schedule {
            headers["Nats-Schedule"] = "@at \(schedule.at.rfc3339UTC)"
            headers["Nats-Schedule-Target"] = schedule.target
            // ADR-51: the server puts this as `Nats-TTL` on the message it publishes to the
            // target (the stream needs `allow_msg_ttl`), so fired messages do not pile up.
            if let ttl = schedule.firedMessageTTL { headers["Nats-Schedule-TTL"] = "\(max(1, ttl.components.seconds))s" }
        }
    }
}

/// A one-shot JetStream message schedule: at `at`, the server publishes the message to `target`.
public struct MessageSchedule: Sendable, Equatable {
    public var at: Date
    public var target: String
    /// How long the message published to `target` is kept (`Nats-Schedule-TTL`); `nil`: as the
    /// stream keeps messages.
    public var firedMessageTTL: Duration?

    public init(at: Date, target: String, firedMessageTTL: Duration? = nil) {
        self.at = at
        self.target = target
        self.firedMessageTTL = firedMessageTTL
    }
}

/// The server's acknowledgement that a message (or an atomic batch) is stored.
public struct PubAck: Decodable, Sendable, Equatable {
    public let stream: String
    /// Sequence of the stored message; for a batch, of its last message.
    public let seq: UInt64
    /// The message id was seen before: nothing new was stored, `seq` is the earlier message's.
    public let duplicate: Bool?
    public let domain: String?
    /// For atomic batches: the batch id and how many messages it stored.
    public let batch: String?
    public let count: Int?

    public var isDuplicate: Bool { duplicate ?? false }

    init(stream: String, seq: UInt64, duplicate: Bool?, domain: String?, batch: String?, count: Int?) {
        self.stream = stream
        self.seq = seq
        self.duplicate = duplicate
        self.domain = domain
        self.batch = batch
        self.count = count
    }

    /// The reply to a publish: the fast flat parse when it applies, else the full decoder
    /// (which also turns an error answer into `JetStreamError`).
    static func decodeReply(_ payload: [UInt8], from subject: String) throws -> PubAck {
        if let ack = parseFlat(payload) { return ack }
        return try JetStream.decodeAPIResponse(payload, from: subject)
    }
}

extension JetStream {
    /// Stores one message and returns once the server has acknowledged it (on disk with
    /// `sync_interval: always`). Expectations that fail throw a `JetStreamError`
    /// (e.g. 10071 wrong last sequence).
    public func publish(_ message: OutboundMessage) async throws -> PubAck {
        var headers = message.headers
        message.options.apply(to: &headers)
        let reply = try await connection.request(message.subject, headers: headers, payload: message.payload, timeout: timeout)
        return try PubAck.decodeReply(reply.payload, from: message.subject)
    }

    public func publish(_ subject: String, payload: [UInt8], headers: NATSHeaders = [:], options: PublishOptions = .init()) async throws -> PubAck {
        try await publish(OutboundMessage(subject: subject, headers: headers, payload: payload, options: options))
    }

    /// The most messages one atomic batch may hold (server limit, ADR-50).
    public static let maximumBatchSize = 1000

    /// Stores all `messages` or none (ADR-50 atomic batch; the stream needs `allow_atomic`).
    ///
    /// Each message may carry its own expectations; the server checks them all at the commit,
    /// against the stream as it was before the batch, under one lock, and one stale expectation
    /// rejects the whole batch. `pacing` says whether the first message waits for the server's
    /// "batch started" reply (`JetStream+BatchPacing.swift` has the measurements); the commit's
    /// reply is the batch's PubAck either way.
    public func publishAtomically(_ messages: [OutboundMessage], pacing: AtomicBatchPacing = .confirmFirst) async throws -> PubAck {
        guard !messages.isEmpty else {
            throw NATSError(kind: .invalidArgument, message: "an atomic batch needs at least one message")
        }
        guard messages.count <= Self.maximumBatchSize else {
            throw NATSError(kind: .invalidArgument, message: "an atomic batch holds at most \(Self.maximumBatchSize) messages, got \(messages.count)")
        }
        let batchId = UUID().uuidString.lowercased()
        for (index, message) in messages.enumerated() {
            let sequence = index + 1
            let isLast = sequence == messages.count
            var headers = message.headers
            message.options.apply(to: &headers)
            headers["Nats-Batch-Id"] = batchId
            headers["Nats-Batch-Sequence"] = String(sequence)
            if isLast { headers["Nats-Batch-Commit"] = "1" }
            if isLast {
                let reply = try await connection.request(message.subject, headers: headers, payload: message.payload, timeout: timeout)
                return try PubAck.decodeReply(reply.payload, from: message.subject)
            } else if sequence == 1, pacing == .confirmFirst {
                let reply = try await connection.request(message.subject, headers: headers, payload: message.payload, timeout: timeout)
                // An empty reply means "batch started"; anything else is an error PubAck.
                if !reply.payload.isEmpty {
                    let _: Empty = try Self.decodeAPIResponse(reply.payload, from: message.subject)
                }
            } else {
                try connection.publish(message.subject, headers: headers, payload: message.payload)
            }
        }
        preconditionFailure("unreachable: the last message returns")
    }
}

extension Date {
    /// RFC 3339 in UTC with second precision, as `Nats-Schedule: @at` expects.
    var rfc3339UTC: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: self)
    }
}
