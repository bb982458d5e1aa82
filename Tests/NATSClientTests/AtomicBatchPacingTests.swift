import Foundation
import NATSClient
import Testing

/// A pipelined atomic batch (no "batch started" round trip) keeps the guarantees of the
/// confirmed one: all or nothing, one stale expectation anywhere rejects it, a retried batch
/// is refused as a duplicate.
@Suite("Atomic batch pacing")
struct AtomicBatchPacingTests {
    @Test("a pipelined batch over two subjects stores both, with one PubAck for the batch")
    func pipelinedBatchCommits() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("pipecommit")
        try await js.createOrUpdateStream(stream.config())
        let ack = try await js.publishAtomically([
            OutboundMessage(subject: stream.subject("resource.a"), payload: .text("placed"), options: .init(expectedLastSubjectSequence: 0)),
            OutboundMessage(subject: stream.subject("person.p"), payload: .text("added"), options: .init(expectedLastSubjectSequence: 0)),
        ], pacing: .pipelined)
        #expect(ack.count == 2)
        #expect(ack.seq == 2)
        #expect(try await js.lastMessage(stream: stream.name, subject: stream.subject("resource.a"))?.payload == .text("placed"))
        #expect(try await js.lastMessage(stream: stream.name, subject: stream.subject("person.p"))?.payload == .text("added"))
    }

    @Test("a stale expectation on the unconfirmed first message is reported by the commit (10071) and nothing is stored", arguments: [AtomicBatchPacing.pipelined, .confirmFirst])
    func staleFirstMessageRejectsBatch(pacing: AtomicBatchPacing) async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("pipestale")
        try await js.createOrUpdateStream(stream.config())
        _ = try await js.publish(stream.subject("resource.a"), payload: .text("a1"))
        let before = try await js.streamInfo(stream.name).state

        let error = await #expect(throws: JetStreamError.self) {
            try await js.publishAtomically([
                OutboundMessage(subject: stream.subject("resource.a"), payload: .text("a2"), options: .init(expectedLastSubjectSequence: 0)), // stale
                OutboundMessage(subject: stream.subject("person.p"), payload: .text("p1"), options: .init(expectedLastSubjectSequence: 0)),
            ], pacing: pacing)
        }
        #expect(error?.errorCode == 10071)
        let after = try await js.streamInfo(stream.name).state
        #expect(after.messages == before.messages)
        #expect(after.lastSequence == before.lastSequence)
        #expect(try await js.lastMessage(stream: stream.name, subject: stream.subject("person.p")) == nil)
    }

    @Test("a retried pipelined batch with the same message ids is refused as a duplicate (10201) and stores nothing")
    func retriedPipelinedBatchIsDuplicate() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("pipedupe")
        try await js.createOrUpdateStream(stream.config())
        let batch = [
            OutboundMessage(subject: stream.subject("resource.a"), payload: .text("placed"), options: .init(messageId: "cmd-7/0")),
            OutboundMessage(subject: stream.subject("person.p"), payload: .text("added"), options: .init(messageId: "cmd-7/1")),
        ]
        _ = try await js.publishAtomically(batch, pacing: .pipelined)
        let error = await #expect(throws: JetStreamError.self) {
            try await js.publishAtomically(batch, pacing: .pipelined)
        }
        #expect(error?.errorCode == 10201)
        #expect(try await js.streamInfo(stream.name).state.messages == 2)
    }
}
