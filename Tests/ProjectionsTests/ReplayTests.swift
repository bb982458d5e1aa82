import EventStore
import Foundation
import NATSClient
import PostgresClient
@testable import Projections
import Synchronization
import Testing
import TestSupport

@Suite("Replay")
struct ReplayTests {
    @Test("Given a live projection, when it is rebuilt while a client queries and events keep arriving, then no query fails and the swapped-in tables equal the incremental ones")
    func givenLiveProjectionWhenRebuiltThenQueriesNeverFail() async throws {
        let harness = try await ProjectionHarness.make("replay")
        let projection = try harness.projection()
        let first = try await harness.append(5000, subjects: 9)
        let live = RunningProjector(harness.projector(projection, instance: "live"))
        try await CheckpointWaiter.wait(for: "counts", toReach: first, pool: harness.pool, timeout: .seconds(20))

        let stop = Atomic<Bool>(false)
        let pool = harness.pool
        let reader = Task { () -> (ok: Int, failed: [String]) in
            var ok = 0
            var failed: [String] = []
            while !stop.load(ordering: .relaxed) {
                do {
                    _ = try await pool.query("select count(*), sum(total) from counts.subject_counts")
                    ok += 1
                } catch {
                    failed.append("\(error)")
                }
            }
            return (ok, failed)
        }
        let load = Task { try await harness.append(1000, subjects: 9, batch: 20) }
        let progressReports = Atomic<Int>(0)
        let report = try await ProjectionRebuild(projection: projection, pool: harness.pool, jetStream: harness.nats.jetStream)
            .run(.swap) { _ in progressReports.add(1, ordering: .relaxed) }
        let last = try await load.value
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(20))
        stop.store(true, ordering: .relaxed)
        let queries = await reader.value
        await live.crash()

        #expect(queries.failed.isEmpty, "failed queries: \(queries.failed.prefix(3))")
        #expect(queries.ok > 0)
        #expect(progressReports.load(ordering: .relaxed) > 0)
        #expect(report.schema == "counts")
        let schemas = try await harness.pool.query("select nspname from pg_namespace where nspname like 'counts%' order by 1").decodeColumn(String.self)
        #expect(schemas == ["counts"])
        let pointInTime = try await ProjectionRebuild(projection: projection, pool: harness.pool, jetStream: harness.nats.jetStream)
            .run(.toSequence(last))
        #expect(try await harness.checksum(schema: "counts") == harness.checksum(schema: pointInTime.schema))
        #expect(try await harness.pool.query("select sum(events)::bigint from counts.subject_counts").singleValue(Int64.self) == 6000)
        await harness.close()
    }

    @Test("Given events over time, when building a point-in-time copy to a sequence or a time, then it holds exactly the events up to there and the live tables are untouched")
    func givenEventsWhenBuildingPointInTimeThenStopsThere() async throws {
        let harness = try await ProjectionHarness.make("timetravel")
        let projection = try harness.projection()
        let middle = try await harness.append(200)
        let middleTime = try #require(try await harness.nats.jetStream.message(stream: harness.stream, sequence: middle)?.time)
        try await harness.append(100)
        let rebuild = ProjectionRebuild(projection: projection, pool: harness.pool, jetStream: harness.nats.jetStream)

        let bySequence = try await rebuild.run(.toSequence(middle))
        #expect(bySequence.schema == "counts__at_\(middle)")
        #expect(bySequence.lastSequence == middle)
        #expect(try await harness.pool.query("select sum(events)::bigint from counts__at_\(middle).subject_counts").singleValue(Int64.self) == 200)

        // Direct reads give the time to the millisecond; the consumer sees nanoseconds.
        let byTime = try await rebuild.run(.toTime(middleTime.addingTimeInterval(0.001)))
        let count = try await harness.pool.query("select sum(events)::bigint from \(try PostgresIdentifier.quote(byTime.schema)).subject_counts").singleValue(Int64.self)
        #expect((200..<300).contains(Int(count ?? 0)))  // every event stored up to that instant, none later
        #expect(try await harness.pool.query("select 1 from pg_namespace where nspname = 'counts'").rows.isEmpty)
        await harness.close()
    }

    @Test("Given an unskipped poison event, when rebuilding, then the rebuild stops with the event named")
    func givenPoisonWhenRebuildingThenNamesEvent() async throws {
        let harness = try await ProjectionHarness.make("rebuildpoison")
        try await harness.append(10)
        let poison = try await harness.appendPoison()
        try await harness.append(10)
        do {
            _ = try await ProjectionRebuild(projection: try harness.projection(), pool: harness.pool, jetStream: harness.nats.jetStream).run(.swap)
            Issue.record("the rebuild went past a poison event")
        } catch ProjectionError.poisonEvent(let event) {
            #expect(event.sequence == poison)
            #expect(event.type == "test.counted")
        }
        #expect(try await harness.pool.query("select nspname from pg_namespace where nspname like 'counts%'").rows.isEmpty)
        await harness.close()
    }

    @Test("Given a projector, when a checkpoint is awaited beyond the stream, then the wait times out with a clear error")
    func givenCheckpointWhenAwaitedTooLongThenTimesOut() async throws {
        let harness = try await ProjectionHarness.make("wait")
        let projector = harness.projector(try harness.projection(), instance: "a")
        try await projector.prepare()
        await #expect(throws: ProjectionError.self) {
            try await CheckpointWaiter.wait(for: "counts", toReach: 5, pool: harness.pool, timeout: .milliseconds(300))
        }
        await harness.close()
    }
}

@Suite("Projection versions")
struct ProjectionVersionTests {
    @Test("Given tables built by version 1, when version 2 of the code starts, then it refuses to write until a replay rebuilds them as version 2")
    func givenOldVersionWhenNewCodeStartsThenReplayIsRequired() async throws {
        let harness = try await ProjectionHarness.make("version")
        let last = try await harness.append(100)
        let v1 = RunningProjector(harness.projector(try harness.projection(), instance: "v1"))
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(15))
        await v1.crash()

        let v2Projection = try CountingProjection.make(version: 2, stream: harness.stream, filter: harness.filter)
        let v2 = RunningProjector(harness.projector(v2Projection, instance: "v2"))
        try await eventually("version 2 to refuse the version 1 tables") {
            if case .failed = v2.projector.status { return true } else { return false }
        }
        guard case .failed(let reason) = v2.projector.status else { return }
        #expect(reason.contains("almanac replay counts"))
        await v2.crash()

        _ = try await ProjectionRebuild(projection: v2Projection, pool: harness.pool, jetStream: harness.nats.jetStream).run(.swap)
        #expect(try await harness.checkpoint()?.version == 2)
        let resumed = RunningProjector(harness.projector(v2Projection, instance: "v2-after-replay"))
        let more = try await harness.append(5)
        try await CheckpointWaiter.wait(for: "counts", toReach: more, pool: harness.pool, timeout: .seconds(15))
        #expect(try await harness.pool.query("select sum(events)::bigint from counts.subject_counts").singleValue(Int64.self) == 105)
        await resumed.crash()
        await harness.close()
    }
}
