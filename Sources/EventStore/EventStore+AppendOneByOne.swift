import Foundation
import NATSClient

extension EventStore {
    /// Appends `events` to `subject` one message after the other, the first expecting
    /// `expecting` and each later one the sequence of the one before: single publishes instead
    /// of an atomic batch, which on an R1 file stream costs 10–25 ms per batch, serialised per
    /// stream (tools/README-bench.md, "Why atomic batches cap").
    ///
    /// NOT atomic: a writer that stops between two messages leaves only the first ones stored.
    /// Only for aggregates whose decider completes a decision cut short from the state the
    /// prefix leaves (runs: `RunState.unsettled`, `RunDecider.settle`); readers may also see the
    /// prefix for the moment between two publishes.
    ///
    /// Message ids are `<idempotencyKey>/<n>` as with `append`. A message found stored already
    /// (a retried append that got that far before) stops the append: the result is
    /// `isDuplicate`, with the sequences of the messages up to that one. A later message that
    /// finds the subject moved on (another writer completed the decision meanwhile) throws
    /// `wrongExpectedVersion` like the first: reload and decide again.
    @discardableResult
    public func appendOneByOne(_ events: [any Sendable], to subject: String, expecting: ExpectedVersion,
                               idempotencyKey: String? = nil, metadata: EventMetadata = .init()) async throws -> AppendResult {
        let messages = try outboundMessages([SubjectAppend(subject: subject, events: events, expecting: expecting)],
                                            idempotencyKey: idempotencyKey, metadata: metadata)
        var sequences: [UInt64] = []
        sequences.reserveCapacity(messages.count)
        var expected = expecting
        for var message in messages {
            message.options.expectedLastSubjectSequence = expected.lastSubjectSequence
            let ack: PubAck
            do {
                ack = try await jetStream.publish(message)
            } catch let error as JetStreamError where error.isWrongLastSequence {
                throw EventStoreError.wrongExpectedVersion(subject: subject, expected: expected, actual: Self.actualSequence(in: error.text))
            } catch let error as NATSError where error.kind == .noResponders {
                throw EventStoreError.invalidAppend("no stream captures \(subject)")
            }
            sequences.append(ack.seq)
            if ack.isDuplicate { return AppendResult(sequences: sequences, isDuplicate: true) }
            expected = .sequence(ack.seq)
        }
        return AppendResult(sequences: sequences, isDuplicate: false)
    }
}
