import EventStore
import Foundation
import NATSClient
@testable import Projections
import Testing
import TestSupport

/// A batch that takes longer than the lease's ttl: the active projector keeps renewing from a
/// task of its own, so its lease does not expire under it and no standby takes over.
@Suite("Projector lease")
struct ProjectorLeaseTests {
    /// Holds the first `apply` until the test opens it, and says when it got there.
    final class ApplyGate: Sendable {
        let entered: AsyncStream<Void>
        private let enter: AsyncStream<Void>.Continuation
        private let opened: AsyncStream<Void>
        private let open: AsyncStream<Void>.Continuation
        private let first = LockedValue(true)

        init() {
            (entered, enter) = AsyncStream<Void>.makeStream()
            (opened, open) = AsyncStream<Void>.makeStream()
        }

        func pass() async {
            let isFirst = first.withLock { value -> Bool in
                defer { value = false }
                return value
            }
            guard isFirst else { return }
            enter.yield()
            for await _ in opened { return }
        }

        func release() { open.finish() }
    }

    @Test("Given an active projector and a standby, when a batch takes longer than the lease's ttl, then the lease is renewed meanwhile, stays with the active one, and no standby takes over")
    func givenSlowBatchWhenLongerThanTTLThenLeaseKept() async throws {
        let harness = try await ProjectionHarness.make("slowbatch")
        let counting = try harness.projection()
        let gate = ApplyGate()
        let projection = try Projection(
            name: counting.name, version: counting.version, stream: counting.stream, filter: counting.filter, registry: counting.registry,
            tables: counting.tables, createTables: counting.createTables,
            apply: { events, target in
                await gate.pass()
                try await counting.apply(events, target)
            })
        let last = try await harness.append(20)
        let active = RunningProjector(harness.projector(projection, instance: "active"))
        var entered = gate.entered.makeAsyncIterator()
        _ = await entered.next()
        let standby = RunningProjector(harness.projector(projection, instance: "standby"))

        // While the batch is held: more than a ttl's worth of renewals, each by the active one.
        let bucket = try await ProjectorLease.bucket(harness.nats.jetStream, settings: harness.lease)
        let heldFrom = try #require(try await bucket.get(counting.name)).revision
        let renewals = Int(harness.lease.ttl / harness.lease.renewEvery) + 2
        try await eventually("\(renewals) renewals while the batch is held", within: harness.lease.ttl * 4) {
            guard let entry = try await bucket.get(counting.name) else { return false }
            #expect(String(decoding: entry.value, as: UTF8.self) == "active")
            return entry.revision >= heldFrom + UInt64(renewals)
        }
        #expect(standby.projector.status == .standby)

        gate.release()
        try await CheckpointWaiter.wait(for: counting.name, toReach: last, pool: harness.pool, timeout: .seconds(15))
        #expect(active.projector.status == .active)
        #expect(standby.projector.status == .standby)
        let checkpoint = try await harness.checkpoint()
        #expect(checkpoint?.owner == "active")
        await standby.crash()
        await active.crash()
        await harness.close()
    }
}
