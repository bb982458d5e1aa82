import EventStore
import Flows

/// A run folded from its subject, and the sequence to expect when appending to it.
struct RunHistory: Sendable {
    var state: RunState
    var lastSequence: UInt64?

    var expectation: ExpectedVersion { lastSequence.map { .sequence($0) } ?? .noStream }

    static func load(_ store: EventStore, subject: String) async throws -> RunHistory {
        let recorded = try await store.read(subject: subject)
        var state = RunState()
        for event in recorded {
            if let runEvent = RunEvent(payload: event.event) { state = RunState.evolve(state, runEvent) }
        }
        return RunHistory(state: state, lastSequence: recorded.last?.sequence)
    }
}
