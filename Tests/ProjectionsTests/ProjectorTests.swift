import EventStore
import Foundation
import NATSClient
import PostgresClient
@testable import Projections
import Testing
import TestSupport

@Suite("Projector")
struct ProjectorTests {
    @Test("Given events in the stream, when the projector runs, then the read model counts each event once and the checkpoint reaches the last")
    func givenEventsWhenProjectingThenCountsOnce() async throws {
        let harness = try await ProjectionHarness.make("basic")
        let last = try await harness.append(1000)
        let running = RunningProjector(harness.projector(try harness.projection(), instance: "a"))
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(20))
        let totals = try await harness.pool.query("select sum(events)::bigint, sum(total)::bigint from counts.subject_counts")
        #expect(try totals.rows[0].decode(Int64.self, at: 0) == 1000)
        #expect(try totals.rows[0].decode(Int64.self, at: 1) == Int64((0..<1000).reduce(0) { $0 + $1 % 7 + 1 }))
        await running.crash()
        await harness.close()
    }

    @Test("Given an applied batch, when the same messages are delivered again (alone or with new ones), then only the new ones change the read model")
    func givenAppliedBatchWhenRedeliveredThenExactlyOnce() async throws {
        let harness = try await ProjectionHarness.make("redeliver")
        let firstLast = try await harness.append(300)
        let projector = harness.projector(try harness.projection(), instance: "a")
        try await projector.prepare()
        _ = try await projector.activate()  // takes ownership in PostgreSQL
        let all = try await readAll(harness)
        try await projector.applyInTransaction(all)
        let applied = try await harness.checksum(schema: "counts")

        try await projector.applyInTransaction(all)  // redelivery of everything
        #expect(try await harness.checksum(schema: "counts") == applied)

        let secondLast = try await harness.append(50)
        let overlapping = try await readAll(harness).filter { $0.sequence > firstLast - 20 }  // 20 old, 50 new
        try await projector.applyInTransaction(overlapping)
        try await projector.applyInTransaction(overlapping)
        #expect(try await harness.checkpoint()?.lastSequence == secondLast)

        let rebuilt = try await ProjectionRebuild(projection: try harness.projection(), pool: harness.pool, jetStream: harness.nats.jetStream)
            .run(.toSequence(secondLast))
        #expect(try await harness.checksum(schema: "counts") == harness.checksum(schema: rebuilt.schema))
        await harness.close()
    }

    @Test("Given a load in progress, when projectors crash at random points and restart, then the read model equals a fresh rebuild (sequential and pipelined batches)",
          arguments: [false, true])
    func givenCrashesDuringLoadWhenRestartedThenEqualsRebuild(pipelined: Bool) async throws {
        let harness = try await ProjectionHarness.make(pipelined ? "crashpipe" : "crash")
        let projection = try harness.projection(pipelined: pipelined)
        let load = LoadTask { try await harness.append(6000, subjects: 7, batch: 50) }
        for round in 0..<5 {
            let running = RunningProjector(harness.projector(projection, instance: "crash-\(round)", batchSize: 100))
            let before = try await harness.checkpoint()?.lastSequence ?? 0
            try await eventually("progress in round \(round)") {
                let now = try await harness.checkpoint()?.lastSequence ?? 0
                // Once the load is done and applied there is nothing left to make progress with.
                let head = try await harness.nats.jetStream.streamInfo(harness.stream).state.lastSequence
                return now > before || (now == head && load.isFinished)
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))  // a random crash point, not synchronisation
            await running.crash()
            // The crashed instance's lease must expire before the next one may work.
        }
        let last = try await load.task.value
        let final = RunningProjector(harness.projector(projection, instance: "final"))
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(20))
        await final.crash()
        let rebuilt = try await ProjectionRebuild(projection: projection, pool: harness.pool, jetStream: harness.nats.jetStream)
            .run(.toSequence(last))
        #expect(try await harness.checksum(schema: "counts") == harness.checksum(schema: rebuilt.schema))
        let events = try await harness.pool.query("select sum(events)::bigint from counts.subject_counts").singleValue(Int64.self)
        #expect(events == 6000)
        await harness.close()
    }

    @Test("Given an active projector, when it dies without releasing its lease, then a standby takes over within 10 seconds")
    func givenActiveProjectorWhenItDiesThenStandbyTakesOver() async throws {
        let harness = try await ProjectionHarness.make("lease")
        let projection = try harness.projection()
        let first = try await harness.append(100)
        let active = RunningProjector(harness.projector(projection, instance: "active"))
        try await CheckpointWaiter.wait(for: "counts", toReach: first, pool: harness.pool, timeout: .seconds(15))
        let standby = RunningProjector(harness.projector(projection, instance: "standby"))
        try await eventually("the second instance to stand by") { standby.projector.status == .standby }
        #expect(active.projector.status == .active)

        await active.crash()
        let diedAt = ContinuousClock.now
        let next = try await harness.append(10)
        try await CheckpointWaiter.wait(for: "counts", toReach: next, pool: harness.pool, timeout: .seconds(10))
        #expect(ContinuousClock.now - diedAt < .seconds(10))
        #expect(standby.projector.status == .active)
        let lag = try await ProjectionOperations.lag(pool: harness.pool, jetStream: harness.nats.jetStream, lease: harness.lease)
        #expect(lag.first?.activeInstance == "standby")
        #expect(lag.first?.events == 0)
        await standby.crash()
        await harness.close()
    }

    @Test("Given a poison event, when projecting, then only that projection stops with the event named and resumes after an operator skip (sequential and pipelined batches: the batch after the poison's never commits past it)",
          arguments: [false, true])
    func givenPoisonEventWhenProjectingThenStopsUntilSkipped(pipelined: Bool) async throws {
        let harness = try await ProjectionHarness.make(pipelined ? "poisonpipe" : "poison")
        try await harness.append(40, batch: 10)
        let poisonSequence = try await harness.appendPoison()
        let last = try await harness.append(40, batch: 10)
        let counts = RunningProjector(harness.projector(try harness.projection("counts", pipelined: pipelined), instance: "a", batchSize: 10))
        let others = RunningProjector(harness.projector(try CountingProjection.make(name: "others", stream: harness.stream, filter: "\(harness.prefix).s1"), instance: "b"))

        try await eventually("the poison to stop the projection") {
            if case .poisoned = counts.projector.status { return true } else { return false }
        }
        guard case .poisoned(let poison) = counts.projector.status else { return }
        #expect(poison.sequence == poisonSequence)
        #expect(poison.type == "test.counted")
        #expect(poison.stream == harness.stream)
        #expect(poison.description.contains("almanac projector skip counts --seq \(poisonSequence)"))
        #expect(poison.description.contains("refuses poison"))
        #expect(try await harness.checkpoint("counts")?.lastSequence == poisonSequence - 1)
        #expect(try await harness.checkpoint("counts")?.poisonSequence == poisonSequence)
        // The other projection is not held back.
        try await eventually("the other projection to count its 20 events", within: .seconds(10)) {
            try await harness.pool.query("select sum(events)::bigint from others.subject_counts").singleValue(Int64.self) == 20
        }

        await #expect(throws: ProjectionError.self) { try await ProjectionOperations.skip("counts", sequence: poisonSequence + 1, pool: harness.pool) }
        try await ProjectionOperations.skip("counts", sequence: poisonSequence, pool: harness.pool)
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(15))
        let skipped = try await harness.pool.query("select sequence from projection_skipped_events where name = 'counts'").decodeColumn(Int64.self)
        #expect(skipped == [Int64(poisonSequence)])
        #expect(try await harness.pool.query("select sum(events)::bigint from counts.subject_counts").singleValue(Int64.self) == 80)
        // A rebuild skips what the operator skipped, so it gives the same rows instead of stopping there.
        let rebuilt = try await ProjectionRebuild(projection: try harness.projection("counts", pipelined: pipelined), pool: harness.pool,
                                                  jetStream: harness.nats.jetStream)
            .run(.toSequence(last))
        #expect(try await harness.checksum(schema: "counts") == harness.checksum(schema: rebuilt.schema))
        await counts.crash()
        await others.crash()
        await harness.close()
    }

    private func readAll(_ harness: ProjectionHarness) async throws -> [StreamMessage] {
        var messages: [StreamMessage] = []
        for try await batch in try await OrderedConsumer.start(harness.nats.jetStream, stream: harness.stream, filter: harness.filter, mode: .untilCaughtUp) {
            messages += batch
        }
        return messages
    }
}

/// A background load that can tell whether it has finished, without waiting for it.
final class LoadTask: Sendable {
    let task: Task<UInt64, any Error>
    private let done: LockedValue<Bool>

    init(_ body: @escaping @Sendable () async throws -> UInt64) {
        let done = LockedValue(false)
        self.done = done
        task = Task {
            defer { done.value = true }
            return try await body()
        }
    }

    var isFinished: Bool { done.value }
}
