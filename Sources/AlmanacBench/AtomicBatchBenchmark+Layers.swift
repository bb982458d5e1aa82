import Foundation
import NATSClient
import Synchronization

/// The streams and the append shapes the atomic-batch benchmark compares. Each writer owns its
/// subjects and keeps their last sequences, so expectations never collide and every append
/// must succeed (a rejection stops the run).
struct AtomicBatchLayers: Sendable {
    let jetStream: JetStream
    let payload: [UInt8]

    static let fileStream = "BENCH_ATOMIC"
    static let memoryStream = "BENCH_ATOMIC_MEMORY"

    static func prepare(_ jetStream: JetStream, payload: [UInt8]) async throws -> AtomicBatchLayers {
        try await jetStream.createOrUpdateStream(EventStoreBenchmark.bookingsLikeStream("BENCH_RAW", subjects: "raw.>"))
        try await jetStream.createOrUpdateStream(EventStoreBenchmark.bookingsLikeStream(fileStream, subjects: "atomic.>"))
        var memory = EventStoreBenchmark.bookingsLikeStream(memoryStream, subjects: "memory.>")
        memory.storage = .memory
        try await jetStream.createOrUpdateStream(memory)
        return AtomicBatchLayers(jetStream: jetStream, payload: payload)
    }

    /// One message with its subject's expectation.
    func single(_ state: WriterSubjects, task: Int) async throws {
        let (slot, expected) = state.next(task: task)
        let ack = try await jetStream.publish(OutboundMessage(subject: "\(state.prefix).t\(task).r\(slot)", payload: payload,
                                                              options: .init(messageId: UUID().uuidString, expectedLastSubjectSequence: expected)))
        state.stored(task: task, slot: slot, sequence: ack.seq)
    }

    /// `bookings` bookings in one atomic batch: per booking a resource and a person message,
    /// each with its own expectation. The pair of a slot is always written together, so the
    /// person subject's last sequence is the resource's plus one.
    func batch(_ state: WriterSubjects, task: Int, bookings: Int, pacing: AtomicBatchPacing) async throws {
        var slots: [(slot: Int, expected: UInt64)] = []
        var messages: [OutboundMessage] = []
        for _ in 0..<bookings {
            let (slot, expected) = state.next(task: task)
            slots.append((slot, expected))
            messages.append(OutboundMessage(subject: "\(state.prefix).t\(task).r\(slot)", payload: payload,
                                            options: .init(messageId: UUID().uuidString, expectedLastSubjectSequence: expected)))
            messages.append(OutboundMessage(subject: "\(state.prefix).t\(task).p\(slot)", payload: payload,
                                            options: .init(messageId: UUID().uuidString, expectedLastSubjectSequence: expected == 0 ? 0 : expected + 1)))
        }
        let ack = try await jetStream.publishAtomically(messages, pacing: pacing)
        guard ack.count == messages.count else { throw BenchError("a batch of \(messages.count) was acknowledged with count \(ack.count ?? 0)") }
        for (index, entry) in slots.enumerated() {
            // The batch's messages are stored consecutively, the last at ack.seq.
            let resourceSequence = ack.seq - UInt64(messages.count - 1 - index * 2)
            state.stored(task: task, slot: entry.slot, sequence: resourceSequence)
        }
    }
}

/// Per writer: which of its subjects comes next and the last stored sequence of each.
final class WriterSubjects: Sendable {
    let prefix: String
    private let subjectsPerWriter: Int
    private let state: Mutex<[Writer]>

    private struct Writer {
        var next = 0
        var last: [UInt64]
    }

    init(prefix: String, writers: Int, subjectsPerWriter: Int) {
        self.prefix = prefix
        self.subjectsPerWriter = subjectsPerWriter
        state = Mutex([Writer](repeating: Writer(last: [UInt64](repeating: 0, count: subjectsPerWriter)), count: writers))
    }

    func next(task: Int) -> (slot: Int, expected: UInt64) {
        state.withLock { writers in
            let slot = writers[task].next
            writers[task].next = (slot + 1) % subjectsPerWriter
            return (slot, writers[task].last[slot])
        }
    }

    func stored(task: Int, slot: Int, sequence: UInt64) {
        state.withLock { $0[task].last[slot] = sequence }
    }
}
