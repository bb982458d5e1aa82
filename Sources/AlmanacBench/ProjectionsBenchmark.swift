import Foundation
import LocalServers
import Logging
import NATSClient
import PostgresClient
import Projections

/// Issue "Projectors": the incremental projector and the blue/green rebuild over the same stored
/// events, each beside the same run's raw limits — pull fetch + ack of the same messages with
/// no processing, and COPY of the same rows with no NATS — and as a ratio of the smaller one.
/// The projection is `EventActivityProjection` (rows per subject and type, with a COPY bulk
/// path): AlmanacBench does not depend on BookingReadModels. The booking read model's own
/// rates at the sizes come from `ALMANAC_ACCEPTANCE=full swift test --filter
/// BookingReadModelProcessTests`.
struct ProjectionsBenchmark: Benchmark {
    let name = "projections"
    let summary = "projector (incremental, rebuild with COPY) vs raw pull fetch+ack and raw COPY of the same rows"

    static let incrementalGoal = 0.3
    static let rebuildGoal = 0.6
    static let rebuildMemoryGoalMB = 200.0

    func run(_ context: BenchContext) async throws -> [Figure] {
        let count = context.quick ? 50_000 : 1_000_000
        let plan = EventStoreBenchmark.Plan(quick: context.quick)
        let stream = "BENCH_PROJECT"
        context.record("stored events", count)
        context.record("subjects", plan.subjects)
        context.record("projector batch", Projector.Settings().batchSize)
        context.note("ratios are of the smaller raw limit (fetch+ack or COPY); PostgreSQL runs with fsync on")

        let pgFolder = try context.folder("postgres")
        let postgres = try await LocalPostgresServer.start(.init(directory: pgFolder, durability: .durable), logger: Self.quietLogger)
        do {
            let figures = try await measure(context, postgres: postgres, count: count, plan: plan, stream: stream)
            await postgres.stop()
            return figures
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(_ context: BenchContext, postgres: LocalPostgresServer, count: Int, plan: EventStoreBenchmark.Plan,
                         stream: String) async throws -> [Figure] {
        try await postgres.createDatabase("bench")
        let conninfo = postgres.connectionString(database: "bench")
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 4)
        _ = try await Migrator(directory: try Self.migrations()).migrate(pool)

        let figures: [Figure] = try await withNATSServer(in: try context.folder("nats"), syncMode: .serverDefault) { server, connection -> [Figure] in
            try await EventStoreBenchmark.load(count, into: stream, subjects: "bench.>", plan: plan, server: server, connection: connection,
                                               label: "loading", context: context)
            let projection = try EventActivityProjection.make(stream: stream, filter: "bench.>")

            // Raw limit 1: pull fetch + ack of the same messages.
            let fetchProgress = context.progress("raw fetch + ack", total: count, unit: "messages")
            let raw = try await BlockingThread.run("almanac.bench.raw-fetch") { [url = server.url] in
                try RawJetStreamBaseline.fetchAndAck(url: url, stream: stream, count: count, batch: 500)
            }
            fetchProgress.finish(done: raw.messages)

            // Raw limit 2: COPY of the rows the rebuild loads, generated in memory.
            let copyProgress = context.progress("raw COPY", total: count, unit: "rows")
            try await pool.executeScript("create unlogged table raw_copy (subject text, event_type text, sequence bigint, stored_at timestamptz)")
            let stamp = Date().postgresText
            let copyStart = DispatchTime.now().uptimeNanoseconds
            _ = try await pool.withConnection { connection in
                try await connection.copyFrom(table: "raw_copy", columns: ["subject", "event_type", "sequence", "stored_at"],
                                              textRows: (1...count).lazy.map { index -> [String?] in
                                                  ["bench.resource.r\(index % plan.subjects)", "booking.placed", String(index), stamp]
                                              })
            }
            let copyRate = Double(count) / secondsSince(copyStart)
            copyProgress.finish(done: count)
            let limit = min(raw.perSecond, copyRate)

            // The incremental projector from sequence 1.
            let incrementalProgress = context.progress("projector (incremental)", total: count, unit: "events")
            let projector = Projector(projection: projection, pool: pool, jetStream: connection.jetStream, instance: "bench",
                                      settings: .init(), logger: Self.quietLogger)
            let incrementalStart = DispatchTime.now().uptimeNanoseconds
            let running = Task { try await projector.run() }
            let last = try await connection.jetStream.streamInfo(stream).state.lastSequence
            try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(3600))
            let incrementalRate = Double(count) / secondsSince(incrementalStart)
            running.cancel()
            _ = await running.result
            incrementalProgress.finish(done: count)

            // The rebuild, swapped in over the incremental tables.
            PeakMemory.reset()
            let rebuildProgress = context.progress("rebuild (COPY + swap)", total: count, unit: "events")
            let rebuild = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: connection.jetStream, logger: Self.quietLogger)
                .run(.swap) { rebuildProgress.set(Int($0.sequence)) }
            rebuildProgress.finish(done: Int(rebuild.events))
            let rebuildRate = Double(rebuild.events) / rebuild.seconds
            let peak = PeakMemory.megabytes() ?? 0

            return [
                .absolute("raw pull fetch+ack", group: "limits", value: raw.perSecond, unit: "events/s", higherIsBetter: true, goal: nil),
                .absolute("raw COPY of the rows", group: "limits", value: copyRate, unit: "rows/s", higherIsBetter: true, goal: nil),
                .compared("incremental projection", group: "projector", value: incrementalRate, unit: "events/s",
                          rawLimitName: "min(fetch+ack, COPY)", rawLimit: limit, higherIsBetter: true, ratioGoal: Self.incrementalGoal),
                .compared("rebuild", group: "projector", value: rebuildRate, unit: "events/s",
                          rawLimitName: "min(fetch+ack, COPY)", rawLimit: limit, higherIsBetter: true, ratioGoal: Self.rebuildGoal),
                .absolute("peak memory, rebuild", group: "projector", value: peak, unit: "MB", higherIsBetter: false, goal: Self.rebuildMemoryGoalMB),
            ]
        }
        await pool.close()
        return figures
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
