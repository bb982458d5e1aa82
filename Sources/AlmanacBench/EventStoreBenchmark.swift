import EventStore
import NATSClient

/// Issue "Foundation": EventStore.append and EventStore.subscribe against the raw libnats
/// limits of the same server in the same run, under both durability settings.
///
/// (a) append: 16 concurrent writers over 1000 subjects, each with the subject's expected
///     sequence — raw `js_Publish` without envelope vs `EventStore.append` with it.
/// (b) read: a stream of stored booking events — raw pull fetch + ack vs an ordered
///     `EventStore.subscribe` that decodes every event.
/// Every (a) runs before any (b), so the peak memory taken in (a) is about appending.
struct EventStoreBenchmark: Benchmark {
    let name = "eventstore"
    let summary = "EventStore append/subscribe vs raw libnats JetStream publish/fetch, sync always and server default"

    /// Sizes of one run.
    struct Plan: Sendable {
        var publishers = 16
        var subjects = 1000
        /// Each side of the append comparison runs about this long per mode (counts follow
        /// from a warm-up's rate, so slow fsync and fast page cache both take similar time).
        var appendSecondsPerSide: Double
        /// Raw and EventStore take turns this many times per mode.
        var rounds = 3
        var warmupAppends = 16 * 40
        var storedEvents: Int
        var fetchBatch = 256
        var subscribeBuffer = 4096

        init(quick: Bool) {
            appendSecondsPerSide = quick ? 1.25 : 10
            storedEvents = quick ? 100_000 : 1_000_000
        }
    }

    static let ratioGoal = 0.8
    static let appendMemoryGoalMB = 100.0

    func run(_ context: BenchContext) async throws -> [Figure] {
        let plan = Plan(quick: context.quick)
        let payloadBytes = try BookingPlacedSample.sample(0).encoded().count
        context.record("publishers", plan.publishers)
        context.record("subjects", plan.subjects)
        context.record("event body bytes", payloadBytes)
        context.record("append seconds per side (target)", plan.appendSecondsPerSide)
        context.record("append rounds (raw and EventStore in turns)", plan.rounds)
        context.record("stored events (read)", plan.storedEvents)
        context.record("raw fetch batch", plan.fetchBatch)
        context.record("subscribe buffer", plan.subscribeBuffer)
        if PeakMemory.reset() {
            context.note("peak memory = VmHWM reset (/proc/self/clear_refs) at the start of the measured EventStore phase, so it covers that phase only")
        } else {
            context.note("peak memory = VmHWM of the whole process so far (this kernel refuses a reset), an upper bound for the phase")
        }
        context.note("latency ratio = raw / EventStore, throughput ratio = EventStore / raw: 1.0 means as good as raw")

        var figures: [Figure] = []
        for mode in NATSSyncMode.allCases {
            figures += try await appendPhase(mode, plan: plan, payloadBytes: payloadBytes, context: context)
        }
        for mode in NATSSyncMode.allCases {
            figures += try await readPhase(mode, plan: plan, context: context)
        }
        // Grouped by durability mode in the table and the plot.
        let order = NATSSyncMode.allCases.map(\.label)
        return figures.enumerated().sorted { left, right in
            let l = order.firstIndex(of: left.element.group) ?? 0, r = order.firstIndex(of: right.element.group) ?? 0
            return l != r ? l < r : left.offset < right.offset
        }.map(\.element)
    }

    /// The BOOKINGS stream's settings (dedupe window, atomic batches, direct gets) on other
    /// subjects, so the server does for the benchmark what it does in production.
    static func bookingsLikeStream(_ name: String, subjects: String) -> StreamConfig {
        var config = AlmanacStreams.configurations().first { $0.name == AlmanacStreams.bookings }!
        config.name = name
        config.subjects = [subjects]
        // Benchmark streams are thrown away with their server.
        config.denyDelete = nil
        config.denyPurge = nil
        return config
    }
}
