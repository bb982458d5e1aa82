import EventStore
import Foundation
import NATSClient
import Synchronization

/// Group commit for a command handler's appends: commands that are ready to append while an
/// earlier batch is still on its way to the server wait for it and then go to the stream
/// together, as ONE atomic batch in which every subject keeps its own expectation
/// (`EventStore.appendTogether`). The server's cost of an atomic batch is per batch (on an R1
/// file stream, a fresh on-disk staging store each: ~30–300 batches/s), so sharing it
/// multiplies what a stream takes.
///
/// - One conflict never fails the others: when the server refuses a group (a stale
///   expectation, a message id stored before), each command is appended again on its own, at
///   the same time, and gets its own answer (its `wrongExpectedVersion` goes to its own retry).
/// - Two commands on one aggregate never share a group: the caller holds the aggregate's
///   in-process lock (`AggregateLocks`) from deciding until its append is answered, so the
///   second is decided after the first is stored. A group naming a subject twice is refused by
///   `appendTogether` and falls back to one by one anyway.
/// - Nothing waits for a timer: a command alone goes at once; only commands that arrive while
///   `maximumInFlight` groups are already out wait, and then for those groups only.
public final class GroupCommit: Sendable {
    public struct Settings: Sendable {
        /// Groups on their way to the server at once. More overlaps the round-trips of a
        /// replicated stream; fewer makes bigger groups where the per-batch cost dominates.
        public var maximumInFlight: Int
        /// Events in one group at most (the server refuses batches over 1000 messages).
        public var maximumEvents: Int

        public init(maximumInFlight: Int = 2, maximumEvents: Int = 512) {
            self.maximumInFlight = max(1, maximumInFlight)
            self.maximumEvents = max(1, min(maximumEvents, JetStream.maximumBatchSize))
        }
    }

    /// Counts since start, for tests and benchmarks: groups sent, commands in them, and groups
    /// the server refused (whose commands were then appended one by one).
    public struct Statistics: Sendable, Equatable {
        public var groups = 0
        public var commands = 0
        public var refusedGroups = 0
    }

    private struct Waiting: Sendable {
        let command: EventStore.CommandAppend
        let continuation: CheckedContinuation<Result<EventStore.AppendResult, any Error>, Never>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var inFlight = 0
        var statistics = Statistics()
    }

    let store: EventStore
    let settings: Settings
    private let state = Mutex(State())

    public init(store: EventStore, settings: Settings = .init()) {
        self.store = store
        self.settings = settings
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Appends one command's events, possibly together with other commands' (see the type).
    /// Answers as `EventStore.append` would for this command alone.
    public func append(_ appends: [EventStore.SubjectAppend], idempotencyKey: String?, metadata: EventMetadata) async throws -> EventStore.AppendResult {
        let command = EventStore.CommandAppend(appends, idempotencyKey: idempotencyKey, metadata: metadata)
        let result = await withCheckedContinuation { continuation in
            let sender = state.withLock { state -> Bool in
                state.queue.append(Waiting(command: command, continuation: continuation))
                guard state.inFlight < settings.maximumInFlight else { return false }
                state.inFlight += 1
                return true
            }
            // A sender of its own, not the caller: it keeps sending what queued meanwhile, and
            // the caller must get its answer as soon as its own group is stored.
            if sender { Task { await self.send() } }
        }
        return try result.get()
    }

    /// Sends queued groups until the queue is empty, then stops counting as in flight.
    private func send() async {
        while let group = nextGroup() {
            let results = await commit(group.map(\.command))
            for (waiting, result) in zip(group, results) { waiting.continuation.resume(returning: result) }
        }
    }

    /// The oldest waiting commands up to `maximumEvents` (at least one), or nil — and one
    /// sender fewer — when nothing waits.
    private func nextGroup() -> [Waiting]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            var events = 0
            var taken = 0
            for waiting in state.queue {
                let count = max(1, waiting.command.appends.reduce(0) { $0 + $1.events.count })
                if taken > 0, events + count > settings.maximumEvents { break }
                events += count
                taken += 1
            }
            let group = Array(state.queue.prefix(taken))
            state.queue.removeFirst(taken)
            return group
        }
    }

    /// Appends `commands` as one batch; if the server refuses it, each on its own, all at once.
    /// One result per command, in order. Public for callers that gather a group themselves.
    public func commit(_ commands: [EventStore.CommandAppend]) async -> [Result<EventStore.AppendResult, any Error>] {
        guard commands.count > 1 else {
            let command = commands[0]
            count(commands: 1, refused: false)
            return [await Result { try await store.append(command.appends, idempotencyKey: command.idempotencyKey, metadata: command.metadata) }]
        }
        do {
            let results = try await store.appendTogether(commands)
            count(commands: commands.count, refused: false)
            return results.map { .success($0) }
        } catch {
            // Whatever the reason (stale expectation, stored id, even a timeout after which the
            // batch may be stored): appended again one by one with the same ids, a stored
            // command is answered as a duplicate and the others are stored or refused alone.
            count(commands: commands.count, refused: true)
            return await withTaskGroup(of: (Int, Result<EventStore.AppendResult, any Error>).self) { group in
                for (index, command) in commands.enumerated() {
                    group.addTask {
                        (index, await Result { try await self.store.append(command.appends, idempotencyKey: command.idempotencyKey, metadata: command.metadata) })
                    }
                }
                var results = [Result<EventStore.AppendResult, any Error>?](repeating: nil, count: commands.count)
                for await (index, result) in group { results[index] = result }
                return results.map { $0! }
            }
        }
    }

    private func count(commands: Int, refused: Bool) {
        state.withLock { state in
            state.statistics.groups += 1
            state.statistics.commands += commands
            if refused { state.statistics.refusedGroups += 1 }
        }
    }
}

extension Result where Failure == any Error {
    /// The result of `body`: its value, or the error it threw.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
