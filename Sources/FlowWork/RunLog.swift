import EventStore
import Flows
import Foundation
import Synchronization

/// A run's subject (`runs.<flowId>.<runId>`) as flow-control and the runtime write it: load the
/// run, settle what a writer cut short, decide, append the decision one event after the other
/// with the subject's expected sequence (no atomic batch: see `EventStore.appendOneByOne`).
///
/// Why one by one is safe: every event of a decision but the last leaves the run
/// `RunState.unsettled`, and `RunDecider.settle` gives the rest from that state alone. A writer
/// that stops between two events leaves a run that the next writer settles before it decides
/// (`decide` below), and flow-control's RUNS consumer settles one nobody else comes back to.
/// The settling events carry message ids of their own, derived from the sequence they follow
/// (`settle/<runId>/<seq>/<n>`), so two writers settling the same run store it once; a
/// decision's ids come from the caller's idempotency key, as with `EventStore.append`.
public struct RunLog: Sendable {
    public let store: EventStore
    /// Runs as this process last appended or read them; a hint, never trusted for a refusal
    /// (a decision on a cached run that comes to nothing is made again on the stored run).
    let cache: RunCache?

    public init(store: EventStore, cacheCapacity: Int = 0) {
        self.store = store
        self.cache = cacheCapacity > 0 ? RunCache(capacity: cacheCapacity) : nil
    }

    /// A run folded from its subject, and the sequence to expect when appending to it.
    public struct Loaded: Sendable, Equatable {
        public var state: RunState
        public var lastSequence: UInt64?
        /// From the cache rather than read from the stream just now.
        public var isCached = false

        public init(state: RunState, lastSequence: UInt64?) {
            self.state = state
            self.lastSequence = lastSequence
        }

        public var expectation: ExpectedVersion { lastSequence.map { .sequence($0) } ?? .noStream }
    }

    /// The run as stored (`cached: true`: as this process last saw it, when it has it).
    public func load(_ subject: String, cached: Bool = false) async throws -> Loaded {
        if cached, var run = cache?.get(subject) {
            run.isCached = true
            return run
        }
        // A direct read (no consumer on the server) may be answered by a replica behind the
        // leader; the leader's last sequence, asked first, says whether it is the run as it
        // is: if not, the ordered read (served by the leader) is.
        let recorded = try await store.readDirect(subject: subject, reaching: try await store.lastSequence(subject: subject) ?? 0)
        var state = RunState()
        for event in recorded {
            if let runEvent = RunEvent(payload: event.event) { state = RunState.evolve(state, runEvent) }
        }
        let run = Loaded(state: state, lastSequence: recorded.last?.sequence)
        cache?.put(subject, run)
        return run
    }

    /// Forgets what the cache holds for `subject` (another writer moved it on).
    public func forget(_ subject: String) {
        cache?.remove(subject)
    }

    /// What `decide` came to.
    public enum Decision: Sendable {
        /// Appended: the settling events (if the run was cut short) and the decision's, in order,
        /// and the run as they left it.
        case appended([RunEvent], Loaded)
        /// The decider refused the command on this run (after settling it, if it was cut short:
        /// those events are stored, and flow-control's RUNS consumer hands their steps over).
        case rejected(RunRejection, Loaded)
        /// Nothing to append: the decision was empty.
        case unchanged(Loaded)
        /// The first event to append was stored before under the same id (a retry, or another
        /// writer settled the same cut): reload and decide again to see what is left.
        case duplicate
    }

    /// Settles `run` if it was cut short, decides `command` on it and appends the decision
    /// (`stamp` applies to the decision's events only). Throws `wrongExpectedVersion` when
    /// another writer got there first: reload and decide again.
    public func decide(_ command: RunCommand, on run: Loaded, subject: String, context: RunDecisionContext,
                       idempotencyKey: String, metadata: EventMetadata, stamp: (RunEvent) -> RunEvent = { $0 }) async throws -> Decision {
        var run = run
        var appended: [RunEvent] = []
        do {
            if case .start = command {} else {
                let settled = try await settle(run, subject: subject, context: context, metadata: metadata)
                if settled.duplicate { return .duplicate }
                if !settled.events.isEmpty {
                    run = settled.run
                    appended = settled.events
                }
            }
            let decided: [RunEvent]
            switch RunDecider.decide(command, run.state, context) {
            case .failure(let rejection): return .rejected(rejection, run)
            case .success(let events): decided = events.map(stamp)
            }
            guard !decided.isEmpty else { return appended.isEmpty ? .unchanged(run) : .appended(appended, run) }
            let result = try await store.appendOneByOne(decided.map(\.payload), to: subject, expecting: run.expectation,
                                                       idempotencyKey: idempotencyKey, metadata: metadata)
            if result.isDuplicate {
                forget(subject)
                return appended.isEmpty ? .duplicate : .appended(appended, run)
            }
            run = Loaded(state: RunState.evolve(run.state, with: decided), lastSequence: result.lastSequence)
            cache?.put(subject, run)
            return .appended(appended + decided, run)
        } catch let error as EventStoreError {
            if case .wrongExpectedVersion = error { forget(subject) }
            throw error
        }
    }
}

extension RunLog {
    /// Appends what the decision that left `run` unsettled still owes (`RunDecider.settle`),
    /// under message ids derived from the sequence it follows, so every writer that settles
    /// the same cut stores it once. `duplicate`: another writer stored it first (reload).
    /// Throws `wrongExpectedVersion` when the run moved on.
    public func settle(_ run: Loaded, subject: String, context: RunDecisionContext,
                       metadata: EventMetadata) async throws -> (events: [RunEvent], run: Loaded, duplicate: Bool) {
        let settling = RunDecider.settle(run.state, context)
        guard !settling.isEmpty else { return ([], run, false) }
        let result: EventStore.AppendResult
        do {
            result = try await store.appendOneByOne(settling.map(\.payload), to: subject, expecting: run.expectation,
                                                   idempotencyKey: "settle/\(run.state.runId)/\(run.lastSequence ?? 0)", metadata: metadata)
        } catch let error as EventStoreError {
            if case .wrongExpectedVersion = error { forget(subject) }
            throw error
        }
        if result.isDuplicate {
            forget(subject)
            return ([], run, true)
        }
        let settled = Loaded(state: RunState.evolve(run.state, with: settling), lastSequence: result.lastSequence)
        cache?.put(subject, settled)
        return (settling, settled, false)
    }
}

/// Runs by subject, at most `capacity` (the oldest entries go first).
final class RunCache: Sendable {
    private struct Entries {
        var runs: [String: RunLog.Loaded] = [:]
        var order: [String] = []
        var head = 0
    }

    private let entries = Mutex(Entries())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func get(_ subject: String) -> RunLog.Loaded? {
        entries.withLock { $0.runs[subject] }
    }

    func put(_ subject: String, _ run: RunLog.Loaded) {
        var run = run
        run.isCached = false
        entries.withLock { entries in
            if entries.runs.updateValue(run, forKey: subject) == nil { entries.order.append(subject) }
            // Evict in insertion order; an evicted subject that is still present was put again
            // later and stays (its later position in `order` evicts it then).
            while entries.runs.count > capacity, entries.head < entries.order.count {
                let oldest = entries.order[entries.head]
                entries.head += 1
                entries.runs[oldest] = nil
            }
            if entries.head > 4096, entries.head * 2 > entries.order.count {
                entries.order.removeFirst(entries.head)
                entries.head = 0
            }
        }
    }

    func remove(_ subject: String) {
        _ = entries.withLock { $0.runs.removeValue(forKey: subject) }
    }
}
