import EventStore
import Foundation
import Logging
import NATSClient
import PostgresClient
import ServiceLifecycle

/// Keeps one projection's read model up to date: a swift-service-lifecycle `Service`.
///
/// Only the instance holding the projection's lease works; the others stand by and take over
/// when the lease expires. Each batch is applied in one PostgreSQL transaction that also
/// advances the checkpoint, and acked after the commit. Events at or below the checkpoint are
/// skipped, so redelivery changes nothing. A poison event stops this projection only, with
/// a message naming the event and the operator command that resumes it.
public final class Projector: Service, Sendable {
    public struct Settings: Sendable {
        public var batchSize: Int
        /// How long one fetch waits for messages: also how quickly a graceful shutdown is noticed.
        public var fetchWait: Duration
        public var ackWait: Duration
        public var lease: LeaseSettings
        /// Backoff for failures that are not the event's fault (database or NATS unreachable).
        public var maxBackoff: Duration

        public init(batchSize: Int = 5_000, fetchWait: Duration = .seconds(1), ackWait: Duration = .seconds(30),
                    lease: LeaseSettings = .init(), maxBackoff: Duration = .seconds(30)) {
            self.batchSize = batchSize
            self.fetchWait = fetchWait
            self.ackWait = ackWait
            self.lease = lease
            self.maxBackoff = maxBackoff
        }
    }

    public enum Status: Sendable, Equatable {
        case starting
        case standby
        case active
        case poisoned(PoisonEvent)
        /// Stopped for a reason that needs a person (e.g. a version mismatch); others keep running.
        case failed(String)
        case stopped
    }

    public let projection: Projection
    public let instance: String
    let pool: PostgresPool
    let jetStream: JetStream
    let settings: Settings
    let logger: Logger
    private let currentStatus = LockedValue<Status>(.starting)
    let recordedTimings = LockedValue(Timings())

    public init(projection: Projection, pool: PostgresPool, jetStream: JetStream, instance: String = Projector.defaultInstanceName(),
                settings: Settings = .init(), logger: Logger = Logger(label: "almanac.projector")) {
        self.projection = projection
        self.pool = pool
        self.jetStream = jetStream
        self.instance = instance
        self.settings = settings
        var logger = logger
        logger[metadataKey: "projection"] = "\(projection.name)"
        logger[metadataKey: "instance"] = "\(instance)"
        self.logger = logger
    }

    public static func defaultInstanceName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
    }

    public var status: Status { currentStatus.value }

    func setStatus(_ status: Status) { currentStatus.value = status }

    public func run() async throws {
        let lease: ProjectorLease
        do {
            try await prepare()
            let bucket = try await ProjectorLease.bucket(jetStream, settings: settings.lease)
            lease = ProjectorLease(bucket: bucket, key: projection.name, instance: instance, ttl: settings.lease.ttl)
        } catch let error as ProjectionError {
            await parkFailed(error.description)
            return
        } catch {
            await parkFailed("cannot start: \(error)")
            return
        }
        var failures = 0
        while !Self.isStopping {
            do {
                guard try await lease.tryAcquire() else {
                    if status != .standby { logger.info("standing by: another instance holds the lease") }
                    setStatus(.standby)
                    await pause(settings.lease.standbyPoll)
                    continue
                }
                try await workWhileHoldingLease(lease)
                failures = 0
            } catch let error as ProjectionError {
                if case .notOwner = error {
                    logger.notice("\(error)")
                    setStatus(.standby)
                    continue
                }
                await lease.release()
                await parkFailed(error.description)
                return
            } catch {
                failures += 1
                let wait = backoff(after: failures)
                logger.warning("projector failed, retrying in \(wait): \(error)")
                await pause(wait)
            }
        }
        // A graceful shutdown hands the lease over at once; a cancelled task is an abrupt stop,
        // like a crash, and leaves the lease to expire.
        if Task.isShuttingDownGracefully && !Task.isCancelled { await lease.release() }
        setStatus(.stopped)
        logger.info("projector stopped")
    }

    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Creates the projection's schema, tables and checkpoint row on first start, and checks
    /// that the database was built by this version of the code.
    func prepare() async throws {
        try await pool.transaction { connection in
            // Serialises first starts of several replicas.
            try await connection.execute("select pg_advisory_xact_lock(hashtext($1))", ["projection:" + projection.name])
            let schemaExists = try await connection.query(
                "select 1 from pg_namespace where nspname = $1", [projection.name]).rows.isEmpty == false
            if !schemaExists {
                let schema = try PostgresIdentifier.quote(projection.name)
                try await connection.executeScript("create schema \(schema);\n" + projection.createTables(schema))
                try await connection.execute(
                    """
                    insert into projection_checkpoints (name, stream, version) values ($1, $2, $3)
                    on conflict (name) do update set last_sequence = 0, version = $3, stream = $2, updated_at = now()
                    """, [projection.name, projection.stream, projection.version])
            }
            try await CheckpointSQL.ensure(connection, name: projection.name, stream: projection.stream, version: projection.version)
            guard let checkpoint = try await CheckpointSQL.read(connection, name: projection.name) else { return }
            guard checkpoint.version == projection.version else {
                throw ProjectionError.versionMismatch(projection: projection.name, database: checkpoint.version, code: projection.version)
            }
        }
    }

    /// Fences off any former holder in PostgreSQL, then recreates the durable consumer at the
    /// checkpoint, so messages a dead holder fetched but never committed come first again.
    func activate() async throws -> PullConsumer {
        let checkpoint = try await pool.transaction { connection in
            try await connection.execute(
                "update projection_checkpoints set owner = $2, updated_at = now() where name = $1", [projection.name, instance])
            return try await CheckpointSQL.read(connection, name: projection.name)
        }
        let start = (checkpoint?.lastSequence ?? 0) + 1
        do {
            try await jetStream.deleteConsumer(stream: projection.stream, name: projection.consumerName)
        } catch let error as JetStreamError where error.errorCode == JetStreamError.consumerNotFound {
            // First start: nothing to reset.
        }
        try await jetStream.createOrUpdateConsumer(stream: projection.stream, ConsumerConfig(
            durableName: projection.consumerName, description: "projection \(projection.name)",
            deliverPolicy: start <= 1 ? .all : .byStartSequence, optStartSeq: start <= 1 ? nil : start,
            // Ack-all: the checkpoint covers everything up to a batch's last event, and so does
            // one ack of that event (5,000 acks a batch cost as much as committing it).
            ackPolicy: .all, ackWait: settings.ackWait, filterSubjects: [projection.filter],
            maxAckPending: settings.batchSize * 2))
        return try await PullConsumer.bind(jetStream, stream: projection.stream, consumer: projection.consumerName)
    }

    /// Works while the lease is held, renewing it from a task of its own all the while.
    private func workWhileHoldingLease(_ lease: ProjectorLease) async throws {
        let keeper = Task { [settings, logger] in await lease.keepRenewed(every: settings.lease.renewEvery, logger: logger) }
        do {
            try await work(holding: lease)
        } catch {
            keeper.cancel()
            await keeper.value
            throw error
        }
        keeper.cancel()
        await keeper.value
    }

    private func work(holding lease: ProjectorLease) async throws {
        var consumer = try await activate()
        setStatus(.active)
        logger.info("active: holding the lease")
        // The next batch is fetched while the current one is applied, so NATS and PostgreSQL
        // work at the same time. A prefetched batch that is never applied is not acked; the
        // next activation recreates the consumer at the checkpoint anyway.
        var prefetched: Task<(messages: [JetStreamMessage], decoded: DecodedEvents), any Error>?
        // With `Projection.stage`: the batch whose transaction runs while the next is fetched.
        var inFlight: InFlightBatch?
        do {
            while !Self.isStopping {
                guard lease.isHeld else {
                    let loss = await lease.lossDescription()
                    logger.notice("\(loss)")
                    setStatus(.standby)
                    _ = await prefetched?.result
                    _ = await inFlight?.task.result
                    return
                }
                let messages: [JetStreamMessage]
                var decoded = DecodedEvents()
                let waitStart = ContinuousClock.now
                if let prefetched {
                    (messages, decoded) = try await prefetched.value
                } else {
                    messages = try await consumer.fetch(batch: settings.batchSize, expires: settings.fetchWait)
                }
                prefetched = nil
                record { $0.fetchWait += Self.seconds(since: waitStart) }
                guard !messages.isEmpty else {
                    // Idle: the batch in flight is settled now rather than when the next one comes.
                    if let earlier = inFlight {
                        inFlight = nil
                        if let poison = try await settle(earlier) {
                            guard let resumed = try await stopForOperator(poison, lease: lease) else { return }
                            consumer = resumed
                        }
                    }
                    continue
                }
                // The next batch is decoded as well as fetched while this one is applied.
                prefetched = Task { [consumer, settings, registry = projection.registry] in
                    let next = try await consumer.fetch(batch: settings.batchSize, expires: settings.fetchWait)
                    return (next, DecodedEvents(next.map(\.message), registry: registry))
                }
                let poison: PoisonEvent?
                if projection.stage != nil {
                    // This batch's transaction starts (and stages) now; it waits for the checkpoint
                    // lock until the batch before it commits, which is settled meanwhile.
                    let started = InFlightBatch(messages: messages, decoded: decoded, after: inFlight?.lastSequence, projector: self)
                    let earlier = inFlight
                    inFlight = started
                    if let earlier { poison = try await settle(earlier) } else { poison = nil }
                    if poison != nil {
                        // It cannot commit: its predecessor did not. The operator's resume re-reads it.
                        _ = await started.task.result
                        inFlight = nil
                    }
                } else {
                    poison = try await process(messages, decoded: decoded)
                }
                if let poison {
                    _ = await prefetched?.result
                    prefetched = nil
                    guard let resumed = try await stopForOperator(poison, lease: lease) else { return }
                    consumer = resumed
                }
            }
            _ = await prefetched?.result
            // Stopping: the batch in flight commits or not; unacked, it comes again from the checkpoint.
            if let inFlight, case .success = await inFlight.task.result { try? inFlight.messages.last?.ack() }
        } catch {
            _ = await prefetched?.result
            _ = await inFlight?.task.result
            throw error
        }
    }

    /// Parks the projection on a poison event until an operator skips or retries it; then the
    /// consumer starts again at the checkpoint. Nil when stopping or when the lease was lost.
    private func stopForOperator(_ poison: PoisonEvent, lease: ProjectorLease) async throws -> PullConsumer? {
        try await recordPoison(poison)
        setStatus(.poisoned(poison))
        logger.error("\(poison)")
        guard try await waitForOperator(poison, lease: lease) else { return nil }
        logger.notice("resuming after operator action on \(poison.stream) #\(poison.sequence)")
        let consumer = try await activate()
        setStatus(.active)
        return consumer
    }

    /// A batch applied in a transaction of its own, started before the batch ahead of it was
    /// known to have committed: its transaction stages first, then takes the checkpoint lock
    /// and commits only if the checkpoint has reached `after` (the last sequence of the batch
    /// ahead), so a failure ahead of it can never leave a gap.
    struct InFlightBatch: Sendable {
        let messages: [JetStreamMessage]
        let decoded: DecodedEvents
        let task: Task<Void, any Error>

        init(messages: [JetStreamMessage], decoded: DecodedEvents, after: UInt64?, projector: Projector) {
            self.messages = messages
            self.decoded = decoded
            task = Task { try await projector.applyInTransaction(messages.map(\.message), decoded: decoded, staging: true, after: after) }
        }

        var lastSequence: UInt64? { messages.last?.sequence }
    }

    /// The batch ahead of a pipeline has no successor to wait for: committed, it is acked;
    /// failed for any reason, it is processed the sequential way (retries, poison search).
    private func settle(_ batch: InFlightBatch) async throws -> PoisonEvent? {
        do {
            try await batch.task.value
        } catch let error as ProjectionError {
            throw error
        } catch {
            return try await process(batch.messages, decoded: batch.decoded)
        }
        let ackStart = ContinuousClock.now
        try batch.messages.last?.ack()
        record {
            $0.ack += Self.seconds(since: ackStart)
            $0.batches += 1
            $0.events += batch.messages.count
        }
        return nil
    }

    /// Applies a fetched batch; returns the poison event if one is at fault.
    func process(_ messages: [JetStreamMessage], decoded: DecodedEvents = DecodedEvents()) async throws -> PoisonEvent? {
        var attempt = 0
        while true {
            do {
                try await applyInTransaction(messages.map(\.message), decoded: decoded)
                let ackStart = ContinuousClock.now
                try messages.last?.ack()
                record {
                    $0.ack += Self.seconds(since: ackStart)
                    $0.batches += 1
                    $0.events += messages.count
                }
                return nil
            } catch let failure as EventFailure {
                guard messages.count > 1 else { return failure.poison }
                // Find the event at fault: apply one by one; the ones before it commit.
                for message in messages {
                    do {
                        try await applyInTransaction([message.message], decoded: decoded)
                        try message.ack()
                    } catch let single as EventFailure {
                        return single.poison
                    }
                }
                return nil
            } catch let error as ProjectionError {
                throw error
            } catch let error where Self.mayHaveLostCommits(error) {
                // Batches commit without waiting for the WAL flush (see `applyInTransaction`),
                // so a lost connection may mean PostgreSQL crashed and forgot batches that were
                // acked: start over from the checkpoint (`run` re-activates the consumer there).
                throw error
            } catch {
                // Not the event's fault (server busy, serialization failure): the same batch
                // again after a pause, never the next one, which would move the checkpoint past it.
                attempt += 1
                let wait = backoff(after: attempt)
                logger.warning("batch failed, retrying in \(wait): \(error)")
                for message in messages { try? message.inProgress() }
                await pause(wait)
                if Self.isStopping { throw CancellationError() }
            }
        }
    }

    /// A failure caused by one event's content, as opposed to the infrastructure.
    struct EventFailure: Error {
        let poison: PoisonEvent
    }

    /// A pipelined batch found the checkpoint short of the batch ahead of it (which failed):
    /// it rolls back and is processed again once the batch ahead is settled.
    struct BatchAheadNotCommitted: Error, CustomStringConvertible {
        let after: UInt64
        let checkpoint: UInt64
        var description: String { "the batch ahead (through #\(after)) has not committed; the checkpoint is at #\(checkpoint)" }
    }

    /// One transaction: lock and check the checkpoint, apply, advance the checkpoint. It commits
    /// with `synchronous_commit = off`: the batch and its checkpoint are still atomic, and a
    /// PostgreSQL crash can only lose the newest batches as a whole, which the stream holds and
    /// the projector applies again from the checkpoint after reconnecting (`mayHaveLostCommits`).
    /// Not waiting for each batch's flush is worth more than any change to the SQL.
    ///
    /// `staging` runs the projection's `stage` first; `after` (a pipelined batch) makes the
    /// transaction give up unless the checkpoint has reached that sequence once it holds the lock.
    func applyInTransaction(_ messages: [StreamMessage], decoded: DecodedEvents = DecodedEvents(), staging: Bool = false,
                            after: UInt64? = nil) async throws {
        let start = ContinuousClock.now
        var opened = 0.0, applied = 0.0
        defer {
            let total = Self.seconds(since: start)
            record {
                $0.open += opened
                $0.apply += applied
                $0.commit += max(0, total - opened - applied)
            }
        }
        try await pool.transaction { connection in
            var staged = false
            if staging, let stage = projection.stage,
               let all = try? messages.map({ try decoded[$0] ?? projection.registry.decode($0) }) {
                // A batch that does not decode is left to the steps below, which name the event.
                staged = try await stage(all, ProjectionTarget(connection: connection, schemaName: projection.name))
            }
            let opening = try await connection.pipeline([
                PostgresStatement("set local synchronous_commit = off"),
                PostgresStatement("select \(CheckpointSQL.columns) from projection_checkpoints where name = $1 for update", [projection.name]),
            ])
            guard let checkpoint = try opening[1].rows.first.map(CheckpointSQL.decode) else {
                throw ProjectionError.invalidDefinition("projection \(projection.name) has no checkpoint row; was the database reset?")
            }
            guard checkpoint.owner == instance else { throw ProjectionError.notOwner(projection: projection.name, owner: checkpoint.owner) }
            guard checkpoint.version == projection.version else {
                throw ProjectionError.versionMismatch(projection: projection.name, database: checkpoint.version, code: projection.version)
            }
            if let after, checkpoint.lastSequence < after { throw BatchAheadNotCommitted(after: after, checkpoint: checkpoint.lastSequence) }
            opened = Self.seconds(since: start)
            var events: [RecordedEvent] = []
            for message in messages where message.sequence > checkpoint.lastSequence {
                if message.sequence == checkpoint.skipSequence {
                    try await connection.execute(
                        """
                        insert into projection_skipped_events (name, stream, sequence, event_type, reason) values ($1, $2, $3, $4, $5)
                        on conflict do nothing
                        """, [projection.name, projection.stream, Int64(message.sequence), message.headers[EventEnvelope.Header.type],
                              checkpoint.poisonReason ?? "skipped by an operator"])
                    logger.notice("skipped \(projection.stream) #\(message.sequence) as an operator asked")
                    continue
                }
                do {
                    events.append(try decoded[message] ?? projection.registry.decode(message))
                } catch {
                    throw EventFailure(poison: poison(message, reason: "cannot decode: \(error)"))
                }
            }
            let applyStart = ContinuousClock.now
            defer { applied = Self.seconds(since: applyStart) }
            if !events.isEmpty {
                let staging: ProjectionTarget.Staging = !staged ? .none : events.count == messages.count ? .staged : .discarded
                do {
                    try await projection.apply(events, ProjectionTarget(connection: connection, schemaName: projection.name, staging: staging))
                } catch let error where Self.isEventsFault(error) {
                    // With several events the culprit is found by applying them one by one.
                    throw EventFailure(poison: poison(messages.first { $0.sequence == events[0].sequence } ?? messages[0],
                                                      reason: "\(error)"))
                }
            }
            guard let last = messages.last, last.sequence > checkpoint.lastSequence else { return }
            try await CheckpointSQL.advance(connection, name: projection.name, to: last.sequence, eventTime: last.time)
        }
    }

    /// A failure after which commits acknowledged by PostgreSQL may be gone (it restarted).
    static func mayHaveLostCommits(_ error: any Error) -> Bool {
        guard let error = error as? PostgresClientError else { return false }
        switch error.kind {
        case .unreachable, .connectionRejected, .connectionLost, .closed: return true
        default: return false
        }
    }

    /// Errors of the infrastructure are retried; everything else an apply throws is the event's.
    static func isEventsFault(_ error: any Error) -> Bool {
        if error is CancellationError || error is any NATSErrorProtocol { return false }
        if let error = error as? PostgresClientError {
            switch error.kind {
            case .unreachable, .connectionRejected, .connectionLost, .closed, .cancelled, .timedOut: return false
            default: return true
            }
        }
        if let error = error as? any PostgresErrorProtocol, error.isRetryableTransactionFailure { return false }
        return true
    }

    func poison(_ message: StreamMessage, reason: String) -> PoisonEvent {
        PoisonEvent(projection: projection.name, stream: projection.stream, sequence: message.sequence, subject: message.subject,
                    type: message.headers[EventEnvelope.Header.type] ?? "(no type header)", reason: reason)
    }

    func recordPoison(_ poison: PoisonEvent) async throws {
        try await pool.execute(
            """
            update projection_checkpoints
               set poison_sequence = $2, poison_type = $3, poison_reason = $4, poisoned_at = now(), updated_at = now()
             where name = $1
            """, [projection.name, Int64(poison.sequence), poison.type, poison.reason])
    }

    /// Holds the lease while waiting for `almanac projector skip|retry`; false when stopping or
    /// when the lease was lost. Checks once a second: an operator's pace, not a tight loop.
    private func waitForOperator(_ poison: PoisonEvent, lease: ProjectorLease) async throws -> Bool {
        while !Self.isStopping {
            guard lease.isHeld else { return false }
            let checkpoint = try await pool.withConnection { try await CheckpointSQL.read($0, name: projection.name) }
            if checkpoint?.poisonSequence == nil || checkpoint?.skipSequence == poison.sequence { return true }
            await pause(.seconds(1))
        }
        return false
    }

    private func parkFailed(_ reason: String) async {
        setStatus(.failed(reason))
        logger.error("projection \(projection.name) stopped: \(reason)")
        // Stays in the service group so that the other projections keep running.
        while !Self.isStopping { await pause(.seconds(1)) }
    }

    func backoff(after failures: Int) -> Duration {
        let seconds = min(Double(settings.maxBackoff.components.seconds), 0.2 * pow(2, Double(min(failures, 10) - 1)))
        return .milliseconds(Int(seconds * 1000))
    }

    /// Sleeps, woken early by a graceful shutdown or cancellation.
    func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// Events decoded ahead of their transaction (while the batch before is applied), by stream
/// sequence; a message missing here is decoded in the transaction as before. A failure is kept
/// and thrown where the decode would have thrown, so skips and poison events work the same.
struct DecodedEvents: Sendable {
    private var results: [UInt64: Result<RecordedEvent, any Error>] = [:]

    init() {}

    init(_ messages: [StreamMessage], registry: EventTypeRegistry) {
        results.reserveCapacity(messages.count)
        for message in messages { results[message.sequence] = Result { try registry.decode(message) } }
    }

    subscript(message: StreamMessage) -> RecordedEvent? {
        get throws { try results[message.sequence]?.get() }
    }
}
