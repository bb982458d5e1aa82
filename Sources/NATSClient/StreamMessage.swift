import Foundation

/// A message as stored in a stream, with its place in it.
public struct StreamMessage: Sendable {
    public var subject: String
    public var headers: NATSHeaders
    public var payload: [UInt8]
    /// The stream sequence: the event's position, used as the optimistic-concurrency version.
    public var sequence: UInt64
    /// When the server stored it.
    public var time: Date
    /// Messages left in the consumer after this one (0 = caught up); `nil` for direct reads.
    public var pending: UInt64?
    /// How often this message was delivered (redeliveries count), for pull consumers.
    public var deliveries: UInt64?

    public init(subject: String, headers: NATSHeaders, payload: [UInt8], sequence: UInt64, time: Date, pending: UInt64? = nil, deliveries: UInt64? = nil) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
        self.sequence = sequence
        self.time = time
        self.pending = pending
        self.deliveries = deliveries
    }
}

struct MessageGetRequest: Encodable {
    var seq: UInt64?
    var lastBySubject: String?
    enum CodingKeys: String, CodingKey { case seq, lastBySubject = "last_by_subj" }
}

struct MessageGetResponse: Decodable {
    struct Stored: Decodable {
        let subject: String
        let seq: UInt64
        let hdrs: String?
        let data: String?
        let time: String
    }
    let message: Stored
}

extension JetStream {
    /// The last message stored on `subject`, or `nil` when there is none. Answered by the
    /// stream leader, so it is the right base for an optimistic-concurrency expectation.
    public func lastMessage(stream: String, subject: String) async throws -> StreamMessage? {
        try Subject.validatePublish(subject)
        return try await getMessage(stream: stream, MessageGetRequest(lastBySubject: subject))
    }

    /// The message at `sequence`, or `nil` when there is none (never stored, or deleted).
    public func message(stream: String, sequence: UInt64) async throws -> StreamMessage? {
        try await getMessage(stream: stream, MessageGetRequest(seq: sequence))
    }

    private func getMessage(stream: String, _ request: MessageGetRequest) async throws -> StreamMessage? {
        try Subject.validatePublish(stream)
        do {
            let response: MessageGetResponse = try await api("STREAM.MSG.GET.\(stream)", request)
            let stored = response.message
            let headers = stored.hdrs.flatMap { Data(base64Encoded: $0) }.map { NATSHeaders.parse(block: Array($0)) } ?? [:]
            let payload = stored.data.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
            return StreamMessage(subject: stored.subject, headers: headers, payload: payload, sequence: stored.seq,
                                 time: Self.parseTime(stored.time) ?? Date(timeIntervalSince1970: 0))
        } catch let error as JetStreamError where error.errorCode == JetStreamError.messageNotFound {
            return nil
        }
    }

    static func parseTime(_ text: String) -> Date? {
        // The server writes RFC 3339 with nanoseconds; Foundation parses at most fractions of
        // milliseconds, so the fraction is cut to three digits first.
        var trimmed = text
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let fraction = text[text.index(after: dot)..<zone].prefix(3)
            trimmed = String(text[..<dot]) + "." + fraction + String(text[zone...])
        }
        // Format styles are values: made once, shared by every caller (a direct read parses a
        // time per message).
        return (try? Self.fractionalTime.parse(trimmed)) ?? (try? Self.wholeSecondTime.parse(text))
    }

    private static let fractionalTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSecondTime = Date.ISO8601FormatStyle()
}

extension JetStream {
    /// The sequence of the last message on `subject`, or `nil` when there is none, by a direct
    /// get (`$JS.API.DIRECT.GET.<stream>.<subject>`, streams with `allow_direct`): answered by
    /// any replica without the JetStream API queue, so cheap enough to ask per message. A
    /// replica may lag: the answer can be older than the leader's, never newer.
    public func lastSequenceDirect(stream: String, subject: String) async throws -> UInt64? {
        try Subject.validatePublish(stream)
        try Subject.validatePublish(subject)
        let reply = try await connection.request("\(apiPrefix).DIRECT.GET.\(stream).\(subject)", timeout: timeout)
        if reply.status == 404 { return nil }
        if let status = reply.status, status >= 400 {
            throw JetStreamError(code: status, errorCode: 0, text: reply.headers["Description"] ?? "direct get from \(stream) failed")
        }
        guard let sequence = reply.headers["Nats-Sequence"].flatMap({ UInt64($0) }) else {
            throw NATSError(kind: .protocolViolation, message: "direct get from \(stream) answered without Nats-Sequence")
        }
        return sequence
    }
}

struct DirectBatchRequest: Encodable {
    var seq: UInt64
    var nextBySubject: String
    var batch: Int
    enum CodingKeys: String, CodingKey { case seq, nextBySubject = "next_by_subj", batch }
}

extension JetStream {
    /// Every message on `subject` (no wildcards) from `sequence` on, in order, by batched direct
    /// gets (ADR-31, streams with `allow_direct`): one request per `batch` messages and no
    /// consumer on the server, which suits reading a small aggregate's subject. A replica may
    /// answer, and it may be behind the leader: it answers a prefix of what the leader has. An
    /// optimistic-concurrency expectation built on a stale result fails, but a caller that
    /// concludes from what is NOT there (no such event yet) must first check the result
    /// against the leader (`lastMessage` is answered by the leader), as `RunLog.load` does.
    public func readDirect(stream: String, subject: String, from sequence: UInt64 = 1, batch: Int = 256) async throws -> [StreamMessage] {
        try Subject.validatePublish(stream)
        try Subject.validatePublish(subject)
        var messages: [StreamMessage] = []
        var next = max(1, sequence)
        while true {
            let body = try JSONCoding.encoder.encode(DirectBatchRequest(seq: next, nextBySubject: subject, batch: batch))
            // A stored message comes without a status; the batch ends with one (204 end of
            // batch, 404 nothing found, or an error).
            let replies = try await connection.requestCollecting("\(apiPrefix).DIRECT.GET.\(stream)", payload: Array(body), timeout: timeout) { $0.status != nil }
            var received = 0
            for reply in replies {
                if let status = reply.status {
                    if status == 204 || status == 404 { continue }
                    throw JetStreamError(code: status, errorCode: 0, text: reply.headers["Description"] ?? "direct get from \(stream) failed")
                }
                guard let storedSequence = reply.headers["Nats-Sequence"].flatMap({ UInt64($0) }) else {
                    throw NATSError(kind: .protocolViolation, message: "direct get from \(stream) answered without Nats-Sequence")
                }
                let time = reply.headers["Nats-Time-Stamp"].flatMap(Self.parseTime) ?? Date(timeIntervalSince1970: 0)
                messages.append(StreamMessage(subject: reply.headers["Nats-Subject"] ?? subject, headers: reply.headers, payload: reply.payload,
                                              sequence: storedSequence, time: time))
                next = storedSequence + 1
                received += 1
            }
            if received < batch { return messages }
        }
    }
}
