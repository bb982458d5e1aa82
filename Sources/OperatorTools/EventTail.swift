import EventStore
import Foundation
import NATSClient

/// What `almanac tail` prints for each event: one header line with position, type, actor and
/// time, then the body as indented JSON. It needs no type registry, so it shows events of
/// every version and every service.
public enum EventTail {
    public static func format(_ message: StreamMessage) -> String {
        let type = message.headers[EventEnvelope.Header.type] ?? "(no type)"
        let version = message.headers[EventEnvelope.Header.version].map { " v\($0)" } ?? ""
        let actor = message.headers[EventEnvelope.Header.actor].map { "  by \($0)" } ?? ""
        let occurred = message.headers[EventEnvelope.Header.occurredAt] ?? Timestamp.format(message.time)
        let correlation = message.headers[EventEnvelope.Header.correlationId].map { "  corr \($0)" } ?? ""
        var text = "#\(message.sequence)  \(message.subject)  \(type)\(version)  \(occurred)\(actor)\(correlation)\n"
        text += indentedBody(message.payload)
        return text
    }

    static func indentedBody(_ payload: [UInt8]) -> String {
        guard !payload.isEmpty else { return "    (empty)\n" }
        let data = Data(payload)
        if let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
           let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed]) {
            return String(decoding: pretty, as: UTF8.self).split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n"
        }
        return "    " + String(decoding: payload, as: UTF8.self) + "\n"
    }

    /// Where to start reading.
    public enum Start: Sendable, Equatable {
        case beginning
        case sequence(UInt64)
        /// Only events stored from now on.
        case new
        /// The last `n` events of the stream (all subjects), then live.
        case last(UInt64)
    }

    /// Resolves the stream that captures `filter` and the first sequence to read.
    public static func resolve(_ jetStream: JetStream, filter: String, start: Start) async throws -> (stream: String, from: UInt64) {
        try Subject.validateFilter(filter)
        let names = try await jetStream.streamNames(capturing: filter)
        guard let stream = names.first else { throw TailError(message: "no stream captures \(filter)") }
        guard names.count == 1 else { throw TailError(message: "\(filter) spans several streams (\(names.joined(separator: ", "))); narrow it") }
        let last = try await jetStream.streamInfo(stream).state.lastSequence
        switch start {
        case .beginning: return (stream, 1)
        case .sequence(let sequence): return (stream, max(1, sequence))
        case .new: return (stream, last + 1)
        case .last(let count): return (stream, last >= count ? last - count + 1 : 1)
        }
    }
}

public struct TailError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
