import Foundation
import Logging
import NATSClient
import PostgresClient
@testable import Projections
import ServiceLifecycle
import Testing

@Suite("Projector lifecycle")
struct GracefulShutdownTests {
    @Test("Given a projector in a service group, when the group shuts down gracefully, then it stops with everything committed and hands its lease over at once")
    func givenServiceGroupWhenShuttingDownThenLeaseHandedOver() async throws {
        let harness = try await ProjectionHarness.make("graceful")
        let projection = try harness.projection()
        let last = try await harness.append(500)
        let projector = harness.projector(projection, instance: "first")
        var logger = Logger(label: "test.group")
        logger.logLevel = .critical
        let group = ServiceGroup(services: [projector], logger: logger)
        let running = Task { try await group.run() }
        try await CheckpointWaiter.wait(for: "counts", toReach: last, pool: harness.pool, timeout: .seconds(15))

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(projector.status == .stopped)
        let bucket = try harness.nats.jetStream.keyValue(harness.lease.bucket)
        #expect(try await ProjectorLease.holder(bucket, key: "counts") == nil)

        // The lease is free (checked above), so the next instance need not wait for it to expire.
        let next = RunningProjector(harness.projector(projection, instance: "second"))
        let more = try await harness.append(10)
        try await CheckpointWaiter.wait(for: "counts", toReach: more, pool: harness.pool, timeout: .seconds(10))
        #expect(try await harness.pool.query("select sum(events)::bigint from counts.subject_counts").singleValue(Int64.self) == 510)
        await next.crash()
        await harness.close()
    }
}
