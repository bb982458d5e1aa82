import EventStore
import FlowWork
import Flows
import Foundation
import NATSClient

/// Reads the dead letters in `WORK` (`work.dead.<kind>`) without consuming them: `WORK` has
/// work-queue retention, so any consumer's ack would delete a letter, and a work-queue stream
/// refuses consumers that do not ack. Direct gets (`STREAM.MSG.GET` with `next_by_subj`) read
/// one stored message after another and leave them where they are.
public struct DeadLetters: Sendable {
    let jetStream: JetStream

    public init(jetStream: JetStream) {
        self.jetStream = jetStream
    }

    /// A dead letter as stored: the decoded job (nil when it was not a readable job, e.g. on
    /// `work.dead.unreadable`) and the reason header that every letter carries.
    public struct Letter: Sendable, Equatable {
        public let sequence: UInt64
        public let subject: String
        public let storedAt: Date
        public let reason: String
        public let dead: DeadStepJob?
    }

    /// Letters oldest first, of one step kind (`send_email`, ..., or `unreadable`) or all, at most `limit`.
    public func list(kind: String? = nil, limit: Int = 1000) async throws -> [Letter] {
        if let kind, let problem = SubjectToken.problem(with: kind) { throw DeadLetterError.invalidKind(kind, reason: problem) }
        let filter = kind.map { "work.dead.\($0)" } ?? WorkSubjects.deadLetterFilter
        var letters: [Letter] = []
        var next: UInt64 = 1
        while letters.count < limit, let message = try await nextMessage(from: next, matching: filter) {
            let reason = message.headers[DeadStepJob.reasonHeader] ?? "(no reason recorded)"
            letters.append(Letter(sequence: message.sequence, subject: message.subject, storedAt: message.time, reason: reason,
                                  dead: try? DeadStepJob.decode(message.payload)))
            next = message.sequence + 1
        }
        return letters
    }

    /// The first message at or after `seq` whose subject matches `nextBySubject`.
    struct NextRequest: Encodable {
        var seq: UInt64
        var nextBySubject: String
        enum CodingKeys: String, CodingKey { case seq, nextBySubject = "next_by_subj" }
    }

    struct Answer: Decodable {
        struct Stored: Decodable {
            let subject: String
            let seq: UInt64
            let hdrs: String?
            let data: String?
            let time: String
        }
        struct Failure: Decodable {
            let code: Int
            let errorCode: Int?
            let description: String?
            enum CodingKeys: String, CodingKey { case code, errorCode = "err_code", description }
        }
        let message: Stored?
        let error: Failure?
    }

    /// The first message at or after `sequence` on a subject matching `filter`; nil when none.
    func nextMessage(from sequence: UInt64, matching filter: String) async throws -> StreamMessage? {
        // NATSClient's direct read answers "last by subject" and "by sequence"; the next-by-subject
        // form is the same API request with another field.
        let body = try JSONEncoder().encode(NextRequest(seq: sequence, nextBySubject: filter))
        let reply = try await jetStream.connection.request("\(jetStream.apiPrefix).STREAM.MSG.GET.\(AlmanacStreams.work)", payload: Array(body),
                                                           timeout: jetStream.timeout)
        let answer = try JSONDecoder().decode(Answer.self, from: Data(reply.payload))
        if let error = answer.error {
            // 10037: no message found.
            if error.code == 404 || error.errorCode == 10037 { return nil }
            throw DeadLetterError.readFailed(error.description ?? "error \(error.code)")
        }
        guard let stored = answer.message else { return nil }
        let headers = stored.hdrs.flatMap { Data(base64Encoded: $0) }.map { Self.headers(block: $0) } ?? [:]
        let payload = stored.data.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
        return StreamMessage(subject: stored.subject, headers: headers, payload: payload, sequence: stored.seq,
                             time: ISO8601DateFormatter.fractional(stored.time))
    }
}

extension DeadLetters {
    /// `NATS/1.0\r\nName: value\r\n...`: the header block as the direct-get answer carries it.
    static func headers(block: Data) -> NATSHeaders {
        var headers = NATSHeaders()
        let lines = String(decoding: block, as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                           String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return headers
    }
}

extension ISO8601DateFormatter {
    /// The server's RFC 3339 time (nanoseconds cut to what Foundation reads).
    static func fractional(_ text: String) -> Date {
        var trimmed = text
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            trimmed = String(text[..<dot]) + "." + text[text.index(after: dot)..<zone].prefix(3) + String(text[zone...])
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: trimmed) ?? ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }
}

/// Why dead letters could not be listed.
public enum DeadLetterError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidKind(String, reason: String)
    case readFailed(String)

    public var description: String {
        switch self {
        case .invalidKind(let kind, let reason): "step kind '\(kind)' \(reason)"
        case .readFailed(let why): "reading dead letters from WORK failed: \(why)"
        }
    }
}
