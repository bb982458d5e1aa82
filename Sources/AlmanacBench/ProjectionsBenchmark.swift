import AlmanacEvents
import BookingReadModels
import EventStore
import Foundation
import LocalServers
import Logging
import NATSClient
import PostgresClient
import Projections

/// Issue "Projectors": the booking projection (`BookingReadModel`) over a realistic booking
/// history — places, cancels, reschedules, check-ins and no-shows over many resources and
/// days — incrementally and as a blue/green rebuild, each beside the same run's raw limits:
/// pull fetch + ack of the same messages with no processing, and COPY of the same rows (the
/// bookings' final rows) with no NATS; the ratio is of the smaller limit. The rebuild's time is broken down
/// (waits on NATS and PostgreSQL, decoding, the set-based finish) so a slow run says why.
struct ProjectionsBenchmark: Benchmark {
    let name = "projections"
    let summary = "booking projector (incremental, rebuild with COPY) vs raw pull fetch+ack and raw COPY of the same rows"

    static let incrementalGoal = 0.3
    static let rebuildGoal = 0.6
    static let rebuildMemoryGoalMB = 200.0

    func run(_ context: BenchContext) async throws -> [Figure] {
        let load = BookingReadModel.SyntheticLoad(events: context.quick ? 100_000 : 1_000_000, resources: context.quick ? 400 : 2_000)
        context.record("booking events", load.events)
        context.record("resources", load.resources)
        context.record("projector batch", Projector.Settings().batchSize)
        context.note("events: bookings placed on desks (8 a day each), a tenth each cancelled, rescheduled, checked in, released as no-show")
        context.note("ratios are of the smaller raw limit (fetch+ack, or COPY of the rebuild's bookings rows per event of the history); PostgreSQL runs with fsync on")

        let pgFolder = try context.folder("postgres")
        let postgres = try await LocalPostgresServer.start(.init(directory: pgFolder, durability: .durable), logger: Self.quietLogger)
        do {
            let figures = try await measure(context, postgres: postgres, load: load)
            await postgres.stop()
            return figures
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(_ context: BenchContext, postgres: LocalPostgresServer, load: BookingReadModel.SyntheticLoad) async throws -> [Figure] {
        try await postgres.createDatabase("bench")
        let conninfo = postgres.connectionString(database: "bench")
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 4)
        _ = try await Migrator(directory: try Self.migrations()).migrate(pool)

        let figures: [Figure] = try await withNATSServer(in: try context.folder("nats"), syncMode: .serverDefault) { server, connection -> [Figure] in
            try await AlmanacStreams.ensure(on: connection.jetStream)
            let store = EventStore(jetStream: connection.jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
            let loading = context.progress("loading booking events", total: load.events, unit: "events")
            let head = try await load.append(to: store) { loading.set($0) }
            loading.finish(done: Int(head))
            let count = Int(head)
            let projection = try BookingReadModel.projection()

            let fetchProgress = context.progress("raw fetch + ack", total: count, unit: "messages")
            let rawFetch = try await BlockingThread.run("almanac.bench.raw-fetch") {
                try RawJetStreamBaseline.fetchAndAck(url: server.url, stream: AlmanacStreams.bookings, count: count, batch: 500)
            }
            fetchProgress.finish(done: rawFetch.messages)

            try await Self.settle(pool)
            // The incremental projector from sequence 1.
            let incrementalProgress = context.progress("projector (incremental)", total: count, unit: "events")
            let projector = Projector(projection: projection, pool: pool, jetStream: connection.jetStream, instance: "bench",
                                      settings: .init(), logger: Self.quietLogger)
            let incrementalStart = DispatchTime.now().uptimeNanoseconds
            let running = Task { try await projector.run() }
            try await CheckpointWaiter.wait(for: projection.name, toReach: head, pool: pool, timeout: .seconds(3600))
            let incrementalRate = Double(count) / secondsSince(incrementalStart)
            running.cancel()
            _ = await running.result
            incrementalProgress.finish(done: count)
            Self.recordTimings(projector.timings, context)
            context.note("incremental: each batch's transaction starts (and stages) while the batch ahead is applied, so the parts overlap")

            // The rebuild, swapped in over the incremental tables.
            try await Self.settle(pool)
            PeakMemory.reset()
            context.record("resident memory before the rebuild", String(format: "%.1f MB", PeakMemory.currentMegabytes() ?? 0))
            let rebuildProgress = context.progress("rebuild (fold + COPY + swap)", total: count, unit: "events")
            let rebuild = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: connection.jetStream, logger: Self.quietLogger)
                .run(.swap) { rebuildProgress.set(Int($0.sequence)) }
            rebuildProgress.finish(done: Int(rebuild.events))
            let rebuildRate = Double(rebuild.events) / rebuild.seconds
            let peak = PeakMemory.megabytes() ?? 0
            Self.recordTimings(rebuild, context)
            // Last: its in-memory fold of the history would otherwise stay in the process's heap
            // and in the rebuild's peak memory.
            try await Self.settle(pool)
            let rawCopy = try await rawCopyLimit(context, count: count, load: load, pool: pool)
            let raw = (fetchAck: rawFetch.perSecond, copy: rawCopy)
            let limit = min(raw.fetchAck, raw.copy)

            return [
                .absolute("raw pull fetch+ack", group: "limits", value: raw.fetchAck, unit: "events/s", higherIsBetter: true, goal: nil),
                .absolute("raw COPY of the final bookings rows", group: "limits", value: raw.copy, unit: "events/s", higherIsBetter: true, goal: nil),
                .compared("booking, incremental", group: "projector", value: incrementalRate, unit: "events/s",
                          rawLimitName: "min(fetch+ack, COPY)", rawLimit: limit, higherIsBetter: true, ratioGoal: Self.incrementalGoal),
                .compared("booking, rebuild", group: "projector", value: rebuildRate, unit: "events/s",
                          rawLimitName: "min(fetch+ack, COPY)", rawLimit: limit, higherIsBetter: true, ratioGoal: Self.rebuildGoal),
                .absolute("peak memory, rebuild", group: "projector", value: peak, unit: "MB", higherIsBetter: false, goal: Self.rebuildMemoryGoalMB),
            ]
        }
        await pool.close()
        return figures
    }

    /// COPY of the rows the rebuild writes (each booking's final row, folded in memory from
    /// the same synthetic history) into a bare `bookings`: what PostgreSQL can do with no NATS
    /// and no projection code in between. Given per event (events of the history / seconds of
    /// the COPY), the rebuild's unit, to compare with raw fetch + ack (of every stored message
    /// with libnats, no processing).
    private func rawCopyLimit(_ context: BenchContext, count: Int, load: BookingReadModel.SyntheticLoad, pool: PostgresPool) async throws -> Double {
        let copyProgress = context.progress("raw COPY", total: nil, unit: "rows")
        let copied = try await load.copyBookingRows(into: "raw_copy", pool: pool)
        copyProgress.finish(done: copied.rows)
        try await pool.executeScript("drop schema raw_copy cascade")
        context.record("raw COPY: bookings rows (the rebuild's rows for all events)", copied.rows)
        context.record("raw COPY: rows/s", Int(Double(copied.rows) / copied.seconds))
        return Double(count) / copied.seconds
    }

    static func recordTimings(_ rebuild: ProjectionRebuild.Report, _ context: BenchContext) {
        let t = rebuild.timings
        func s(_ value: Double) -> String { String(format: "%.1f s", value) }
        context.record("rebuild seconds", String(format: "%.1f", rebuild.seconds))
        context.record("rebuild load (fetch, decode, fold overlapped)", s(t.load))
        context.record("rebuild load: blocked on NATS fetch", s(t.fetchWait))
        context.record("rebuild load: decoding (summed over batches)", s(t.decode))
        context.record("rebuild load: blocked on the fold", s(t.writeWait))
        context.record("rebuild finish (COPY of the bookings, indexes, occupancy)", s(t.finish))
        for phase in t.finishPhases { context.record("rebuild finish: \(phase.name)", s(phase.seconds)) }
        context.record("rebuild catch-up and swap", s(t.catchUpAndSwap))
    }

    static func recordTimings(_ t: Projector.Timings, _ context: BenchContext) {
        func s(_ value: Double) -> String {
            String(format: "%.1f s (%.1f ms a batch)", value, t.batches == 0 ? 0 : value * 1000 / Double(t.batches))
        }
        context.record("incremental batches (events)", "\(t.batches) (\(t.events))")
        context.record("incremental: blocked on NATS fetch + decode", s(t.fetchWait))
        context.record("incremental: open transaction, stage (fold + COPY), wait for the batch ahead, lock checkpoint", s(t.open))
        context.record("incremental: apply (set-based SQL)", s(t.apply))
        context.record("incremental: checkpoint + commit", s(t.commit))
        context.record("incremental: ack", s(t.ack))
    }

    /// Lets PostgreSQL catch up with the phase before: a checkpoint (writing what the phase
    /// left dirty) and a vacuum (its dead rows), which the checkpointer and autovacuum would
    /// otherwise do during the next phase. Right after the incremental run, a COPY of the same
    /// rows took 1.8 s instead of 0.8 s; each phase is measured on a settled server.
    static func settle(_ pool: PostgresPool) async throws {
        try await pool.executeScript("checkpoint")
        try await pool.executeScript("vacuum analyze")
        try await pool.executeScript("checkpoint")
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "almanac.bench.projections")
        logger.logLevel = .warning
        return logger
    }

    /// `schemas/sql` of the repository the benchmark was built from.
    static func migrations() throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("schemas/sql")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw BenchError("cannot find schemas/sql next to \(#filePath)")
    }
}
