import AlmanacEvents
import Booking
import CommandBus
import EventStore
import Foundation
import Logging
import NATSClient

/// Handles booking commands: loads the aggregates a command touches (from the in-memory cache,
/// or snapshot-free replay of their subjects on a miss), asks the pure `BookingDecider`, and
/// appends its events as one atomic batch with an expected sequence on every subject. When
/// another replica won a race, the stale aggregates are refreshed and the command decided
/// again (bounded); after that the caller gets a typed `conflict`.
public struct BookingCommandHandler: Sendable {
    let store: EventStore
    let aggregates: BookingAggregates
    var sites: AggregateRepository<SiteState> { aggregates.sites }
    var resources: AggregateRepository<ResourceState> { aggregates.resources }
    var persons: AggregateRepository<PersonState> { aggregates.persons }
    let locks = AggregateLocks()
    /// Commands decided at the same time on different aggregates are appended as one atomic
    /// batch (see `GroupCommit`); the locks above keep two commands on one aggregate apart.
    public let groupCommit: GroupCommit
    let now: @Sendable () -> Date
    let logger: Logger

    public init(store: EventStore, aggregates: BookingAggregates? = nil, groupCommit: GroupCommit.Settings = .init(),
                now: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "almanac.booking")) {
        self.store = store
        self.aggregates = aggregates ?? BookingAggregates(store: store)
        self.groupCommit = GroupCommit(store: store, settings: groupCommit)
        self.now = now
        self.logger = logger
    }

    /// The subject of an aggregate; the domain validated its id, and `BookingSubjects` checks it
    /// again before it becomes a subject.
    static func subject(of aggregate: AggregateRef) throws -> String {
        try BookingSubjects.subject(of: aggregate)
    }

    public func handle(_ command: BookingCommand, actor: Principal, correlationId: String? = nil) async -> CommandReply {
        let first = BookingDecider.missingAggregates(for: command, in: DecisionContext(actor: actor, now: now()))
        do {
            // The command's digest never changes between attempts: computed once.
            let fingerprint = try Self.fingerprint(of: command)
            return try await locks.withLocks(try Self.lockedAggregates(of: command, first).map(Self.subject)) {
                try await withOptimisticRetry(onConflict: { _ in }) { attempt in
                    // First from the cache; after a conflict, from the stream as it is now.
                    let reply = try await decideAndAppend(command, fingerprint: fingerprint, actor: actor, correlationId: correlationId, verified: attempt > 1)
                    if case .rejected = reply, attempt == 1 {
                        // Another replica may have changed an aggregate since this one cached it
                        // (a floor added, a booking cancelled): a rejection must rest on current
                        // state, so check the heads and decide again.
                        return try await decideAndAppend(command, fingerprint: fingerprint, actor: actor, correlationId: correlationId, verified: true)
                    }
                    return reply
                }
            }
        } catch let error as SubjectTokenError {
            return .rejected(code: "invalid_input", message: error.description, field: nil)
        } catch EventStoreError.wrongExpectedVersion {
            return .rejected(code: "conflict", message: "Someone else changed this at the same moment; please try again.", field: nil)
        } catch {
            logger.error("booking command failed", metadata: ["error": "\(error)"])
            return .failed(message: "\(error)")
        }
    }

    /// The aggregates a command holds the in-process lock of: those it may write. A booking only
    /// reads its site (the rules), so bookings at one site do not queue behind each other —
    /// with the site locked, a site's bookings ran one at a time per process, each waiting
    /// for the one before it to be stored. Admin commands write the site and lock it.
    static func lockedAggregates(of command: BookingCommand, _ aggregates: [AggregateRef]) -> [AggregateRef] {
        switch command {
        case .place, .addFavourite: aggregates.filter { if case .site = $0 { false } else { true } }
        default: aggregates
        }
    }

    /// `verified`: load each aggregate as the stream has it now rather than trusting the cache.
    private func decideAndAppend(_ command: BookingCommand, fingerprint: CommandFingerprint, actor: Principal, correlationId: String?,
                                 verified: Bool) async throws -> CommandReply {
        var context = DecisionContext(actor: actor, now: now())
        var loaded: [AggregateRef: (version: UInt64?, earlier: EarlierCommand)] = [:]
        // Some aggregates are only known from others (a booking's owner, from its resource):
        // load until the decider needs nothing more (a command touches at most three levels).
        for _ in 0..<4 {
            let missing = BookingDecider.missingAggregates(for: command, in: context)
            if missing.isEmpty { break }
            for aggregate in missing {
                let subject = try Self.subject(of: aggregate)
                switch aggregate {
                case .site(let id):
                    let state = verified ? try await sites.current(subject) : try await sites.load(subject)
                    context.sites[id] = state.state
                    loaded[aggregate] = (state.version, state.earlier(fingerprint))
                case .resource(let id):
                    let state = verified ? try await resources.current(subject) : try await resources.load(subject)
                    context.resources[id] = state.state
                    loaded[aggregate] = (state.version, state.earlier(fingerprint))
                case .person(let id):
                    let state = verified ? try await persons.current(subject) : try await persons.load(subject)
                    context.persons[id] = state.state
                    loaded[aggregate] = (state.version, state.earlier(fingerprint))
                }
            }
        }
        // A retried command is answered with what it appended the first time, before deciding
        // again (its own booking would now make the slot look taken). The same key with a
        // different body is refused: the first result would tell the sender it was done.
        var earlier = Set<UInt64>()
        for (_, aggregate) in loaded {
            switch aggregate.earlier {
            case .none: break
            case .differentBody: return .idempotencyKeyReused
            case .sameBody(let sequences): earlier.formUnion(sequences)
            }
        }
        if !earlier.isEmpty {
            return .accepted(sequences: earlier.sorted(), duplicate: true)
        }
        let key = fingerprint.storeKey
        let batches: [SubjectEvents]
        switch BookingDecider.decide(command, context) {
        case .failure(let rejection): return .rejected(code: rejection.code, message: rejection.message, field: rejection.field)
        case .success(let decided): batches = decided.filter { !$0.events.isEmpty }
        }
        guard !batches.isEmpty else { return .accepted(sequences: [], duplicate: false) }
        let appends = try batches.map { batch in
            EventStore.SubjectAppend(subject: try Self.subject(of: batch.aggregate), events: batch.events.map(\.payload),
                                     expecting: loaded[batch.aggregate]?.version.map { .sequence($0) } ?? .noStream)
        }
        // Still holding the locks of every aggregate it writes, so no command in its group
        // shares one.
        let result = try await groupCommit.append(appends, idempotencyKey: key,
                                                  metadata: EventMetadata(correlationId: correlationId, actor: "person:\(actor.personId)"))
        try remember(batches, result: result, key: key)
        return .accepted(sequences: result.sequences, duplicate: result.isDuplicate)
    }

    /// The command's key and a digest of its canonical body: the decoded command encoded again
    /// (sorted keys, one date spelling), so how the sender wrote the JSON does not matter.
    static func fingerprint(of command: BookingCommand) throws -> CommandFingerprint {
        let (name, body) = try BookingCommandCodec.encode(command)
        return CommandFingerprint(idempotencyKey: command.idempotencyKey, name: name, canonicalBody: body)
    }

    /// Folds what was just appended into the cached states, so the next command on the same
    /// aggregates reads nothing.
    private func remember(_ batches: [SubjectEvents], result: EventStore.AppendResult, key: String) throws {
        var offset = 0
        for batch in batches {
            let subject = try Self.subject(of: batch.aggregate)
            let sequences = Array(result.sequences[offset..<min(offset + batch.events.count, result.sequences.count)])
            offset += batch.events.count
            if result.isDuplicate {
                forget(batch.aggregate, subject)
                continue
            }
            let payloads = batch.events.map { $0.payload as any Sendable }
            switch batch.aggregate {
            case .site: sites.appendedIfCached(subject, events: payloads, sequences: sequences, idempotencyKey: key)
            case .resource: resources.appendedIfCached(subject, events: payloads, sequences: sequences, idempotencyKey: key)
            case .person: persons.appendedIfCached(subject, events: payloads, sequences: sequences, idempotencyKey: key)
            }
        }
    }

    private func forget(_ aggregate: AggregateRef, _ subject: String) {
        switch aggregate {
        case .site: sites.forget(subject)
        case .resource: resources.forget(subject)
        case .person: persons.forget(subject)
        }
    }
}
