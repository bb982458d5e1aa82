import EventStore
import Foundation
import Logging
import NATSClient
import PostgresClient

/// Blue/green rebuild of a projection (`almanac replay`): builds fresh tables in a schema of
/// their own from sequence 1 (folded in memory and written with COPY when the projection has a
/// `FoldLoad`, through a COPYed load table with a `BulkLoad`), catches up with
/// the live stream, then renames the new schema into place in one transaction. Queries name
/// `<projection>.<table>`, so they read the old tables until the commit and the new ones after;
/// none fails. A point-in-time build stops at a sequence or time and keeps its own schema.
public struct ProjectionRebuild: Sendable {
    public enum Target: Sendable, Equatable {
        /// Rebuild and swap in, replacing the live tables.
        case swap
        /// Build up to and including this stream sequence into `<name>__at_<seq>`; no swap.
        case toSequence(UInt64)
        /// Build the events stored up to this time into `<name>__at_<unix seconds>`; no swap.
        case toTime(Date)
    }

    public struct Progress: Sendable {
        public let applied: UInt64
        public let sequence: UInt64
        public let targetSequence: UInt64
        public let eventsPerSecond: Double
        /// Seconds left at the current rate; nil before the rate is known.
        public let remainingSeconds: Double?
    }

    public struct Report: Sendable, Equatable {
        /// The schema now holding the result (the projection's own after a swap).
        public let schema: String
        public let events: UInt64
        public let lastSequence: UInt64
        public let seconds: Double
        /// Where the time went, for profiling (`tools/bench projections` prints it).
        public var timings = Timings()
    }

    /// Seconds spent per part of a rebuild. The load's parts overlap (the next fetch and the
    /// previous COPY run while a batch is decoded), so the waits are what the loop was blocked on.
    public struct Timings: Sendable, Equatable {
        /// Reading and COPYing the stream, through the last chunk written.
        public var load = 0.0
        /// Blocked on NATS: waiting for a fetched batch.
        public var fetchWait = 0.0
        /// Decoding messages and building COPY rows, summed over the batches (which decode in
        /// tasks of their own, at the same time as fetches and COPY).
        public var decode = 0.0
        /// Blocked on PostgreSQL: waiting for the previous chunk's COPY.
        public var writeWait = 0.0
        /// The bulk load's set-based `finish` (folding the load table, building indexes), or
        /// the fold load's (writing the rows, building indexes).
        public var finish = 0.0
        /// The fold load's `finish`, by phase.
        public var finishPhases: [FoldLoad.FinishPhase] = []
        /// Catching up with the live stream and swapping the schemas in.
        public var catchUpAndSwap = 0.0
    }

    public let projection: Projection
    let pool: PostgresPool
    let jetStream: JetStream
    let logger: Logger
    /// Rows per COPY statement and events per catch-up transaction.
    public var chunkSize = 10_000
    /// With a `BulkLoad` or a `FoldLoad`, the stream is read in this many sequence ranges at
    /// once, each by its own consumer and written with its own COPY or into its own fold: the
    /// load table is append-only and `finish` is set-based, a fold's entries merge in any order,
    /// so order does not matter there, and reading and decoding, the slowest part, spreads over
    /// the cores. Each reader needs a pooled connection and holds its own buffers. Two by
    /// default: a reader spends most of its time waiting for its fetches (1M booking events
    /// folded: 3.5 s of 4.3 s), and two overlap those waits; three loaded as fast on this 2-core
    /// machine (4.2 s).
    public var readers = 2
    /// With a `FoldLoad`, the entries all readers' folds may hold in memory together (each
    /// reader gets its share); a fold over its share spills to PostgreSQL. A booking entry takes
    /// about 120 bytes with its id and table slot, so the default keeps a rebuild's folds near
    /// 120 MB, and 1M booking events (714,000 bookings) fold without a spill (peak 164-172 MB
    /// for the whole process).
    public var foldBudget = 1_000_000

    public init(projection: Projection, pool: PostgresPool, jetStream: JetStream, logger: Logger = Logger(label: "almanac.replay")) {
        self.projection = projection
        self.pool = pool
        self.jetStream = jetStream
        self.logger = logger
    }

    public func run(_ target: Target = .swap, progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        do {
            return try await build(target, progress: progress)
        } catch {
            if target == .swap {
                // A half-built copy is of no use to anyone; the live tables are untouched.
                try? await pool.executeScript("drop schema if exists \(try PostgresIdentifier.quote("\(projection.name)__next")) cascade")
            }
            throw error
        }
    }

    private func build(_ target: Target, progress: @escaping @Sendable (Progress) -> Void) async throws -> Report {
        let started = ContinuousClock.now
        let schema: String = switch target {
        case .swap: "\(projection.name)__next"
        case .toSequence(let sequence): "\(projection.name)__at_\(sequence)"
        case .toTime(let time): "\(projection.name)__at_\(Int64(time.timeIntervalSince1970))"
        }
        let quoted = try PostgresIdentifier.quote(schema)
        let head = try await jetStream.streamInfo(projection.stream).state.lastSequence
        let stopAt: UInt64 = if case .toSequence(let sequence) = target { min(sequence, head) } else { head }
        let until: Date? = if case .toTime(let time) = target { time } else { nil }

        var ddl = "drop schema if exists \(quoted) cascade;\ncreate schema \(quoted);\n" + projection.createTables(quoted)
        if let fold = projection.foldLoad {
            ddl += "\n" + fold.createSpillTable(quoted)
        } else if let bulk = projection.bulkLoad {
            ddl += "\n" + bulk.createLoadTable(quoted)
        }
        try await pool.executeScript(ddl)

        // Events an operator skipped in the live projection are skipped here too, so the
        // rebuild gives the same rows and does not stop at a known poison event.
        let skipped = Set(try await pool.query("select sequence from projection_skipped_events where name = $1", [projection.name])
            .decodeColumn(Int64.self).map { UInt64($0) })
        var loaded = Counter(startedAt: started)
        var last: UInt64 = 0
        var folds: [any RebuildFold] = []
        var timings = Timings()
        let loadStart = ContinuousClock.now
        if stopAt > 0 {
            let shared = SharedCounter(loaded, target: stopAt, progress: progress)
            let inBulk = projection.bulkLoad != nil || projection.foldLoad != nil
            var rangeCount = !inBulk || until != nil ? 1 : readers
            if let longest = projection.foldLoad?.maximumRange, until == nil {
                rangeCount = max(rangeCount, Int(min(stopAt / max(1, longest) + 1, UInt64(Int.max))))
            }
            let ranges = Self.ranges(through: stopAt, readers: rangeCount, minimum: chunkSize)
            folds = ranges.map { _ in projection.foldLoad?.makeFold() }.compactMap { $0 }
            let results = try await withThrowingTaskGroup(of: Loaded.self) { group in
                for (index, range) in ranges.enumerated() {
                    let fold = folds.isEmpty ? nil : folds[index], budget = max(1, foldBudget / ranges.count)
                    group.addTask { try await load(into: schema, from: range.lowerBound, through: range.upperBound, until: until,
                                                   skipping: skipped, counter: shared, fold: fold, foldBudget: budget) }
                }
                var results: [Loaded] = []
                for try await result in group { results.append(result) }
                return results
            }
            last = results.map(\.last).max() ?? 0
            timings.fetchWait = results.map(\.fetchWait).reduce(0, +)
            timings.decode = results.map(\.decode).reduce(0, +)
            timings.writeWait = results.map(\.writeWait).reduce(0, +)
            loaded = shared.counter
            // Events the bulk path sends to `apply`, in stream order, after every reader is done.
            let deferred = results.flatMap(\.deferred).sorted { $0.sequence < $1.sequence }
            var start = 0
            while start < deferred.count {
                let chunk = Array(deferred[start..<min(start + chunkSize, deferred.count)])
                try await pool.transaction { tx in try await projection.apply(chunk, ProjectionTarget(connection: tx, schemaName: schema)) }
                start += chunk.count
            }
            shared.report(sequence: last, force: true)
        }
        timings.load = Self.seconds(since: loadStart)
        let finishStart = ContinuousClock.now
        if let fold = projection.foldLoad {
            timings.finishPhases = try await fold.finish(folds, schema, pool)
        } else if let bulk = projection.bulkLoad {
            try await pool.executeScript(bulk.finish(quoted))
        }
        folds = []  // their memory is not needed for the catch-up
        timings.finish = Self.seconds(since: finishStart)

        guard target == .swap else {
            var report = Report(schema: schema, events: loaded.events, lastSequence: last, seconds: Self.seconds(since: started))
            report.timings = timings
            return report
        }
        // Catch up outside the lock first, so the swap itself holds the live projector back briefly.
        let swapStart = ContinuousClock.now
        last = try await catchUp(schema: schema, after: last, skipping: skipped, counter: &loaded, progress: progress, in: nil)
        last = try await swap(schema: schema, after: last, skipping: skipped, counter: &loaded, progress: progress)
        timings.catchUpAndSwap = Self.seconds(since: swapStart)
        var report = Report(schema: projection.name, events: loaded.events, lastSequence: last, seconds: Self.seconds(since: started))
        report.timings = timings
        return report
    }

    struct Counter {
        let startedAt: ContinuousClock.Instant
        var events: UInt64 = 0
        var lastReport = ContinuousClock.now
    }

    /// The load's counter, shared by its readers: events written, and stream positions read
    /// (the sum over the ranges, which is what the bar and the ETA need).
    final class SharedCounter: Sendable {
        private struct State {
            var counter: Counter
            var positions: UInt64 = 0
        }
        private let state: LockedValue<State>
        private let target: UInt64
        private let progress: @Sendable (Progress) -> Void

        init(_ counter: Counter, target: UInt64, progress: @escaping @Sendable (Progress) -> Void) {
            state = LockedValue(State(counter: counter))
            self.target = target
            self.progress = progress
        }

        var counter: Counter { state.value.counter }

        func add(events: UInt64, positions: UInt64) {
            let due = state.withLock { state -> Progress? in
                state.counter.events += events
                state.positions += positions
                return ProjectionRebuild.progress(&state.counter, sequence: state.positions, target: target)
            }
            if let due { progress(due) }
        }

        func report(sequence: UInt64, force: Bool) {
            if let due = state.withLock({ ProjectionRebuild.progress(&$0.counter, sequence: sequence, target: target, force: force) }) { progress(due) }
        }
    }

    /// What one reader loaded: the last sequence it read, and the events the bulk path leaves to `apply`.
    struct Loaded: Sendable {
        var last: UInt64
        var deferred: [RecordedEvent]
        var fetchWait = 0.0
        var decode = 0.0
        var writeWait = 0.0

        mutating func record(_ written: WrittenChunk) {
            deferred += written.deferred
            decode += written.decodeSeconds
        }
    }

    /// `1...end` cut into at most `readers` contiguous ranges of at least `minimum` sequences.
    static func ranges(through end: UInt64, readers: Int, minimum: Int) -> [ClosedRange<UInt64>] {
        let count = UInt64(max(1, min(readers, Int(end / UInt64(max(1, minimum))))))
        let width = (end + count - 1) / count
        return stride(from: UInt64(1), through: end, by: Int(width)).map { $0...min(end, $0 + width - 1) }
    }

    /// Loads events `from...through` (stopping before the first stored after `until`).
    ///
    /// Reads with a pull consumer of its own (no acks) rather than an ordered push consumer: the
    /// server sends only what was asked for, so a reader slowed down by a busy machine or a
    /// long COPY waits instead of overflowing the client's buffers ("slow consumer", messages
    /// dropped, which ended a 1M-event replay on the shared test machine).
    private func load(into schema: String, from start: UInt64, through end: UInt64, until: Date?, skipping skipped: Set<UInt64>,
                      counter: SharedCounter, fold readerFold: (any RebuildFold)?, foldBudget budget: Int) async throws -> Loaded {
        let name = "rebuild_\(projection.name)_\(UInt32.random(in: 0...UInt32.max))"
        try await jetStream.createOrUpdateConsumer(stream: projection.stream, ConsumerConfig(
            durableName: name, description: "rebuild of \(projection.name) from #\(start)",
            deliverPolicy: start <= 1 ? .all : .byStartSequence, optStartSeq: start <= 1 ? nil : start,
            ackPolicy: .none, filterSubjects: [projection.filter],
            // A rebuild that dies leaves nothing behind for long.
            inactiveThreshold: .seconds(60)))
        do {
            let consumer = try await PullConsumer.bind(jetStream, stream: projection.stream, consumer: name)
            let loaded = if let readerFold {
                try await fold(from: consumer, into: readerFold, budget: budget, schema: schema, start: start, end: end, until: until,
                               skipping: skipped, counter: counter)
            } else {
                try await load(from: consumer, into: schema, start: start, end: end, until: until, skipping: skipped, counter: counter)
            }
            try? await jetStream.deleteConsumer(stream: projection.stream, name: name)
            return loaded
        } catch {
            try? await jetStream.deleteConsumer(stream: projection.stream, name: name)
            throw error
        }
    }

    /// Events a fetch asks for: large enough that a request per batch costs little.
    static let fetchSize = 2_000

    private func load(from consumer: PullConsumer, into schema: String, start: UInt64, end: UInt64, until: Date?, skipping skipped: Set<UInt64>,
                      counter: SharedCounter) async throws -> Loaded {
        var loaded = Loaded(last: start - 1, deferred: [])
        var finished = false
        try await pool.withConnection { connection in
            // A pipeline: the loop only fetches (with the next fetch in flight) and hands each
            // batch to a task of its own that decodes it and builds its COPY rows, so decoding
            // runs on every core while the writer COPYs the previous chunk on the connection.
            // Chunks are written in fetch order; at most two chunks and a fetch are in memory.
            var preparing: [Task<PreparedBatch, any Error>] = []
            var preparedEvents = 0
            var writing: Task<WrittenChunk, any Error>?
            var fetching: Task<[JetStreamMessage], any Error>?
            do {
                while !finished {
                    let batch: [JetStreamMessage]
                    let fetchStart = ContinuousClock.now
                    if let fetching { batch = try await fetching.value } else { batch = try await consumer.fetch(batch: Self.fetchSize, expires: .seconds(1)) }
                    loaded.fetchWait += Self.seconds(since: fetchStart)
                    fetching = nil
                    // Nothing within a second, or the last message matching the filter: done.
                    let caughtUp = batch.isEmpty || batch.last?.message.pending == 0
                    if !caughtUp && (batch.last?.sequence ?? 0) < end {
                        fetching = Task { try await consumer.fetch(batch: Self.fetchSize, expires: .seconds(1)) }
                    }
                    var read: UInt64 = 0
                    var messages: [StreamMessage] = []
                    messages.reserveCapacity(batch.count)
                    for fetched in batch {
                        let message = fetched.message
                        if message.sequence > end || (until.map { message.time > $0 } ?? false) { finished = true; break }
                        read += message.sequence - loaded.last
                        loaded.last = message.sequence
                        if !skipped.contains(message.sequence) { messages.append(message) }
                    }
                    if !messages.isEmpty {
                        preparing.append(Task { [messages] in try prepare(messages) })
                        preparedEvents += messages.count
                    }
                    if caughtUp || loaded.last >= end { finished = true }
                    if preparedEvents >= chunkSize || (finished && !preparing.isEmpty) {
                        let writeStart = ContinuousClock.now
                        if let previous = try await writing?.value { loaded.record(previous) }
                        loaded.writeWait += Self.seconds(since: writeStart)
                        let chunk = preparing
                        writing = Task { try await write(chunk, into: schema, connection: connection) }
                        preparing.removeAll(keepingCapacity: true)
                        counter.add(events: UInt64(preparedEvents), positions: read)
                        preparedEvents = 0
                    } else {
                        counter.add(events: 0, positions: read)
                    }
                }
                _ = await fetching?.result
                let writeStart = ContinuousClock.now
                if let previous = try await writing?.value { loaded.record(previous) }
                loaded.writeWait += Self.seconds(since: writeStart)
            } catch {
                // Never leave a write running on the connection that goes back to the pool.
                _ = await fetching?.result
                _ = await writing?.result
                for task in preparing { _ = await task.result }
                throw error
            }
        }
        return loaded
    }

    /// One fetched batch made ready for the writer: with a `BulkLoad`, its COPY rows as text and
    /// the events it leaves to `apply`; without, its events.
    struct PreparedBatch: Sendable {
        var textRows: [[String?]] = []
        var events: [RecordedEvent] = []
        var seconds = 0.0
    }

    /// What writing a chunk left: the events for `apply` after the load, and the time its
    /// batches took to decode.
    struct WrittenChunk: Sendable {
        var deferred: [RecordedEvent] = []
        var decodeSeconds = 0.0
    }

    /// Decodes a batch and, with a `BulkLoad`, turns its events into COPY text rows (the
    /// encoding that would otherwise run on the writer, one row at a time).
    private func prepare(_ messages: [StreamMessage]) throws -> PreparedBatch {
        let started = ContinuousClock.now
        var prepared = PreparedBatch()
        guard let bulk = projection.bulkLoad else {
            prepared.events = try messages.map(decode)
            prepared.seconds = Self.seconds(since: started)
            return prepared
        }
        prepared.textRows.reserveCapacity(messages.count)
        for message in messages {
            let event = try decode(message)
            let rows: [[any PostgresEncodable]]?
            do {
                rows = try bulk.rows(event)
            } catch {
                throw poison(event, reason: "\(error)")
            }
            guard let rows else { prepared.events.append(event); continue }
            for row in rows { prepared.textRows.append(row.map { $0.postgresText }) }
        }
        prepared.seconds = Self.seconds(since: started)
        return prepared
    }

    /// Writes a chunk's batches in order: with a `BulkLoad`, one COPY of their rows; without,
    /// `apply` of their events in a transaction.
    private func write(_ batches: [Task<PreparedBatch, any Error>], into schema: String, connection: PostgresConnection) async throws -> WrittenChunk {
        var prepared: [PreparedBatch] = []
        prepared.reserveCapacity(batches.count)
        for batch in batches { prepared.append(try await batch.value) }
        var written = WrittenChunk(decodeSeconds: prepared.reduce(0) { $0 + $1.seconds })
        guard let bulk = projection.bulkLoad else {
            let events = prepared.flatMap(\.events)
            if !events.isEmpty {
                try await connection.transaction { tx in
                    try await projection.apply(events, ProjectionTarget(connection: tx, schemaName: schema))
                }
            }
            return written
        }
        written.deferred = prepared.flatMap(\.events)
        if prepared.contains(where: { !$0.textRows.isEmpty }) {
            try await connection.copyFrom(table: bulk.table, schema: schema, columns: bulk.columns, textRows: prepared.lazy.flatMap(\.textRows),
                                          chunkSize: 256 * 1024)
        }
        return written
    }

    func poison(_ event: RecordedEvent, reason: String) -> ProjectionError {
        .poisonEvent(PoisonEvent(projection: projection.name, stream: projection.stream, sequence: event.sequence, subject: event.subject,
                                 type: event.envelope.type, reason: reason))
    }

    func decode(_ message: StreamMessage) throws -> RecordedEvent {
        do {
            return try projection.registry.decode(message)
        } catch {
            throw ProjectionError.poisonEvent(PoisonEvent(
                projection: projection.name, stream: projection.stream, sequence: message.sequence, subject: message.subject,
                type: message.headers[EventEnvelope.Header.type] ?? "(no type header)", reason: "cannot decode: \(error)"))
        }
    }

    /// Applies everything after `sequence` that is in the stream now, with `apply` (the bulk
    /// load table is gone by then), in `connection`'s transaction or in transactions of its own.
    private func catchUp(schema: String, after sequence: UInt64, skipping skipped: Set<UInt64>, counter: inout Counter,
                         progress: @escaping @Sendable (Progress) -> Void, in connection: PostgresConnection?) async throws -> UInt64 {
        let head = try await jetStream.streamInfo(projection.stream).state.lastSequence
        guard head > sequence else { return sequence }
        let consumer = try await OrderedConsumer.start(jetStream, stream: projection.stream, filter: projection.filter,
                                                       from: sequence + 1, mode: .untilCaughtUp)
        defer { consumer.stop() }
        var last = sequence
        for try await batch in consumer {
            guard let newest = batch.last?.sequence else { continue }
            let events = try batch.filter { !skipped.contains($0.sequence) }.map(decode)
            guard !events.isEmpty else { last = newest; continue }
            if let connection {
                try await projection.apply(events, ProjectionTarget(connection: connection, schemaName: schema))
            } else {
                try await pool.transaction { tx in
                    try await projection.apply(events, ProjectionTarget(connection: tx, schemaName: schema))
                }
            }
            last = newest
            counter.events += UInt64(events.count)
            report(&counter, sequence: last, target: head, progress: progress)
        }
        return last
    }

    /// In one transaction: lock the live checkpoint (a live projector's next batch waits), apply
    /// what arrived since, rename the live schema away and the new one into place, and set the
    /// checkpoint. Then drop the old tables.
    private func swap(schema: String, after sequence: UInt64, skipping skipped: Set<UInt64>, counter: inout Counter,
                      progress: @escaping @Sendable (Progress) -> Void) async throws -> UInt64 {
        let retired = "\(projection.name)__retired"
        let live = try PostgresIdentifier.quote(projection.name)
        let last = try await pool.withConnection { connection in
            try await connection.transaction(retry: .never) { tx in
                try await CheckpointSQL.ensure(tx, name: projection.name, stream: projection.stream, version: projection.version)
                let checkpoint = try await CheckpointSQL.read(tx, name: projection.name, forUpdate: true)
                let last = try await catchUp(schema: schema, after: sequence, skipping: skipped, counter: &counter, progress: progress, in: tx)
                let liveExists = try await tx.query("select 1 from pg_namespace where nspname = $1", [projection.name]).rows.isEmpty == false
                try await tx.executeScript("drop schema if exists \(try PostgresIdentifier.quote(retired)) cascade")
                if liveExists { try await tx.executeScript("alter schema \(live) rename to \(try PostgresIdentifier.quote(retired))") }
                try await tx.executeScript("alter schema \(try PostgresIdentifier.quote(schema)) rename to \(live)")
                try await tx.execute(
                    "update projection_checkpoints set last_sequence = $2, version = $3, updated_at = now() where name = $1",
                    [projection.name, Int64(max(last, checkpoint?.lastSequence ?? 0)), projection.version])
                try await tx.notify(channel: CheckpointSQL.checkpointChannel, payload: "\(projection.name):\(last)")
                return last
            }
        }
        try await pool.executeScript("drop schema if exists \(try PostgresIdentifier.quote(retired)) cascade")
        logger.info("swapped in the rebuilt \(projection.name) at \(projection.stream) #\(last)")
        return last
    }

    private func report(_ counter: inout Counter, sequence: UInt64, target: UInt64, progress: (Progress) -> Void, force: Bool = false) {
        if let due = Self.progress(&counter, sequence: sequence, target: target, force: force) { progress(due) }
    }

    /// The progress to show now, or nil within half a second of the last one.
    static func progress(_ counter: inout Counter, sequence: UInt64, target: UInt64, force: Bool = false) -> Progress? {
        let now = ContinuousClock.now
        guard force || now - counter.lastReport >= .milliseconds(500) else { return nil }
        counter.lastReport = now
        let elapsed = Self.seconds(since: counter.startedAt)
        let rate = elapsed > 0 ? Double(counter.events) / elapsed : 0
        let remaining = target > sequence && rate > 0 ? Double(target - sequence) / rate : (target <= sequence ? 0 : nil)
        return Progress(applied: counter.events, sequence: sequence, targetSequence: target, eventsPerSecond: rate, remainingSeconds: remaining)
    }

    /// Seconds since `start`, for timings (also a fold's `finish` phases).
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
