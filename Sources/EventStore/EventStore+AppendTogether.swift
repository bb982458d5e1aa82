import Foundation
import NATSClient

extension EventStore {
    /// One command's share of an append made together with other commands': its subjects with
    /// their expectations, and its own idempotency key and metadata (so its events carry the
    /// same ids and headers as when appended alone).
    public struct CommandAppend: Sendable {
        public var appends: [SubjectAppend]
        public var idempotencyKey: String?
        public var metadata: EventMetadata

        public init(_ appends: [SubjectAppend], idempotencyKey: String? = nil, metadata: EventMetadata = .init()) {
            self.appends = appends
            self.idempotencyKey = idempotencyKey
            self.metadata = metadata
        }

        var eventCount: Int { appends.reduce(0) { $0 + $1.events.count } }
    }

    /// Appends several commands' events as ONE atomic batch, every subject with its own
    /// expectation, and answers each command's sequences in order. The server's cost of an
    /// atomic batch is mostly per batch, not per message (on an R1 file stream a batch is
    /// staged in a fresh on-disk store), so commands arriving together share it.
    ///
    /// All or nothing: one stale expectation, or a message id stored before (a retried
    /// command), refuses the whole batch and stores nothing; then the caller appends the
    /// commands one by one (`append(_:idempotencyKey:metadata:)`), so each gets its own answer.
    /// The commands must not share a subject (an expectation checks the stream as it was
    /// before the batch, so two commands on one subject could both pass).
    public func appendTogether(_ commands: [CommandAppend]) async throws -> [AppendResult] {
        guard commands.count > 1 else {
            return try await commands.asyncMap { try await append($0.appends, idempotencyKey: $0.idempotencyKey, metadata: $0.metadata) }
        }
        var messages: [OutboundMessage] = []
        for command in commands {
            messages += try outboundMessages(command.appends, idempotencyKey: command.idempotencyKey, metadata: command.metadata)
        }
        guard messages.count <= JetStream.maximumBatchSize else {
            throw EventStoreError.invalidAppend("at most \(JetStream.maximumBatchSize) events in one append, got \(messages.count)")
        }
        let subjects = commands.flatMap { $0.appends.map(\.subject) }
        guard Set(subjects).count == subjects.count else {
            throw EventStoreError.invalidAppend("two commands appended together name the same subject; append them one after the other")
        }
        let ack: PubAck
        do {
            ack = try await jetStream.publishAtomically(messages)
        } catch let error as JetStreamError where error.isWrongLastSequence {
            throw EventStoreError.wrongExpectedVersion(subject: nil, expected: .any, actual: Self.actualSequence(in: error.text))
        } catch let error as NATSError where error.kind == .noResponders {
            throw EventStoreError.invalidAppend("no stream captures \(subjects.joined(separator: ", "))")
        }
        // The batch's messages are stored consecutively, ending at the commit's sequence.
        var next = ack.seq - UInt64(ack.count ?? messages.count) + 1
        return commands.map { command in
            let count = UInt64(command.eventCount)
            defer { next += count }
            return AppendResult(sequences: Array(next..<(next + count)), isDuplicate: false)
        }
    }
}

extension Array {
    /// `transform` of each element, one after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        results.reserveCapacity(count)
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
