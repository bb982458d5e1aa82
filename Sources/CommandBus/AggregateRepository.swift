import EventStore
import Foundation
import Synchronization

/// Loads aggregate state from its subject and keeps it in memory, so the common case — the
/// same replica handling the next command for the same aggregate — reads nothing.
///
/// The cache may be stale when another replica appended: the append's expectation then fails,
/// `refresh` reads only the events after the cached version, and the command is decided again.
///
/// It also remembers which commands (idempotency keys) produced the aggregate's recent events,
/// so a retried command is answered with its first result *before* it is decided again — a
/// retried "place booking" must not be rejected because of the booking it placed itself —
/// and with which body (`CommandFingerprint`), so a key reused for a different command is
/// refused rather than answered with the first command's result.
public final class AggregateRepository<State: Sendable>: Sendable {
    public typealias Evolve = @Sendable (State, any Sendable) -> State

    /// A state, the stream sequence of the last event folded into it (nil: no events yet), and
    /// the sequences recent commands appended, by idempotency key.
    public struct Loaded: Sendable {
        public let state: State
        public let version: UInt64?
        public let recentCommands: [String: [UInt64]]
        /// The body digest each remembered key was stored with (absent for events stored
        /// before digests were recorded).
        public let recentDigests: [String: String]

        public var expectation: ExpectedVersion { version.map { .sequence($0) } ?? .noStream }

        init(state: State, version: UInt64?, recentCommands: [String: [UInt64]], recentDigests: [String: String] = [:]) {
            self.state = state
            self.version = version
            self.recentCommands = recentCommands
            self.recentDigests = recentDigests
        }

        /// What this aggregate remembers of the command: nothing, its first result (same key,
        /// same body), or that its key was used for a different body.
        public func earlier(_ command: CommandFingerprint) -> EarlierCommand {
            guard let sequences = recentCommands[command.idempotencyKey] else { return .none }
            let remembered = CommandFingerprint(idempotencyKey: command.idempotencyKey, bodyDigest: recentDigests[command.idempotencyKey])
            return command.differs(from: remembered) ? .differentBody : .sameBody(sequences: sequences)
        }

        func recording(_ storeKey: String, sequences: [UInt64], into commands: inout [String: [UInt64]], digests: inout [String: String]) {
            let fingerprint = CommandFingerprint(storeKey: storeKey)
            commands[fingerprint.idempotencyKey, default: []] += sequences
            if let digest = fingerprint.bodyDigest { digests[fingerprint.idempotencyKey] = digest }
        }
    }


    let store: EventStore
    let initial: State
    let evolve: Evolve
    let capacity: Int
    /// How many idempotency keys are remembered per aggregate.
    let rememberedCommands: Int
    private let cache = Mutex<[String: (loaded: Loaded, lastUse: UInt64)]>([:])
    private let clock = Mutex<UInt64>(0)

    public init(store: EventStore, initial: State, capacity: Int = 10_000, rememberedCommands: Int = 256, evolve: @escaping Evolve) {
        self.store = store
        self.initial = initial
        self.capacity = capacity
        self.rememberedCommands = rememberedCommands
        self.evolve = evolve
    }

    /// The cached state, or the state read from the stream on a miss.
    public func load(_ subject: String) async throws -> Loaded {
        if let hit = touch(subject) { return hit }
        return try await refresh(subject)
    }

    /// The state as the stream has it now: the cache when its version is still the subject's
    /// last sequence (one cheap request), else refreshed. For decisions that must not rest on
    /// a stale cache, such as rejecting a command.
    public func current(_ subject: String) async throws -> Loaded {
        if let hit = touch(subject), try await store.lastSequence(subject: subject) == hit.version {
            return hit
        }
        return try await refresh(subject)
    }

    /// Reads the events after the cached version (all of them on a miss) and caches the result.
    @discardableResult
    public func refresh(_ subject: String) async throws -> Loaded {
        let base = cache.withLock { $0[subject]?.loaded } ?? Loaded(state: initial, version: nil, recentCommands: [:])
        let events = try await store.read(subject: subject, from: (base.version ?? 0) + 1)
        var commands = base.recentCommands, digests = base.recentDigests
        for event in events {
            if let key = Self.commandKey(of: event.envelope.eventId) {
                base.recording(key, sequences: [event.sequence], into: &commands, digests: &digests)
            }
        }
        let kept = trimmed(commands, digests)
        let loaded = Loaded(state: events.map(\.event).reduce(base.state, evolve), version: events.last?.sequence ?? base.version,
                            recentCommands: kept.commands, recentDigests: kept.digests)
        remember(subject, loaded)
        return loaded
    }

    /// Records the state after this process appended `events` (at `sequences`) for the command
    /// with `idempotencyKey` — the key as given to the event store, so a
    /// `CommandFingerprint.storeKey` records the body digest too.
    public func appended(_ subject: String, from loaded: Loaded, events: [any Sendable], sequences: [UInt64], idempotencyKey: String?) {
        var commands = loaded.recentCommands, digests = loaded.recentDigests
        if let idempotencyKey { loaded.recording(idempotencyKey, sequences: sequences, into: &commands, digests: &digests) }
        let kept = trimmed(commands, digests)
        remember(subject, Loaded(state: events.reduce(loaded.state, evolve), version: sequences.last ?? loaded.version,
                                 recentCommands: kept.commands, recentDigests: kept.digests))
    }

    /// Like `appended`, from the cached state: for handlers that loaded the aggregate through
    /// this repository and appended with its version as the expectation (so nothing newer
    /// can exist). Does nothing when the subject is not cached.
    public func appendedIfCached(_ subject: String, events: [any Sendable], sequences: [UInt64], idempotencyKey: String?) {
        guard let loaded = cache.withLock({ $0[subject]?.loaded }) else { return }
        appended(subject, from: loaded, events: events, sequences: sequences, idempotencyKey: idempotencyKey)
    }

    public func forget(_ subject: String) {
        _ = cache.withLock { $0.removeValue(forKey: subject) }
    }

    /// `"<key>/<index>"` → `"<key>"`; event ids without a key are UUIDs and have no slash.
    static func commandKey(of eventId: String) -> String? {
        guard let slash = eventId.lastIndex(of: "/") else { return nil }
        return String(eventId[..<slash])
    }

    private func trimmed(_ commands: [String: [UInt64]], _ digests: [String: String]) -> (commands: [String: [UInt64]], digests: [String: String]) {
        // Trimmed with slack (a quarter more), so a full aggregate is not sorted on every append.
        guard commands.count > rememberedCommands + rememberedCommands / 4 else { return (commands, digests) }
        // Keep the keys of the most recent events.
        let keep = commands.sorted { ($0.value.last ?? 0) > ($1.value.last ?? 0) }.prefix(rememberedCommands)
        let kept = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        return (kept, digests.filter { kept[$0.key] != nil })
    }

    private func touch(_ subject: String) -> Loaded? {
        let now = clock.withLock { $0 += 1; return $0 }
        return cache.withLock { cache in
            guard let entry = cache[subject] else { return nil }
            cache[subject] = (entry.loaded, now)
            return entry.loaded
        }
    }

    private func remember(_ subject: String, _ loaded: Loaded) {
        let now = clock.withLock { $0 += 1; return $0 }
        cache.withLock { cache in
            if let current = cache[subject]?.loaded.version, let new = loaded.version, current > new { return }
            cache[subject] = (loaded, now)
            if cache.count > capacity {
                // Evict the least recently used tenth at once, so eviction is rare.
                let victims = cache.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, capacity / 10)).map(\.key)
                for key in victims { cache.removeValue(forKey: key) }
            }
        }
    }
}

/// Runs `attempt` until it does not end in an optimistic-concurrency conflict, at most
/// `maxAttempts` times; between attempts `onConflict` refreshes what the attempt read.
public func withOptimisticRetry<T: Sendable>(
    maxAttempts: Int = 8,
    onConflict: @Sendable (EventStoreError) async throws -> Void,
    _ attempt: @Sendable (Int) async throws -> T
) async throws -> T {
    var number = 1
    while true {
        do {
            return try await attempt(number)
        } catch let error as EventStoreError {
            guard case .wrongExpectedVersion = error, number < maxAttempts else { throw error }
            try await onConflict(error)
            number += 1
        }
    }
}
