import Foundation
import LocalServers
import NATSClient

/// Issue 3's finding: a booking is one ADR-50 atomic batch of two messages, and batches topped
/// out at ~30–60/s whatever the fsync mode. This benchmark puts single appends and batches
/// side by side with raw `js_Publish` on the same fresh server, at 1 and 32 concurrent
/// writers, for both durability settings, so the cost of a batch is measured on its own:
///
/// - single: `JetStream.publish` of one message with its expected subject sequence;
/// - batch of 2, confirm first: the shape `EventStore.append` sends today (first message a
///   request, commit a request);
/// - batch of 2, pipelined: only the commit asks for a reply;
/// - batch of 2 on a memory stream: the same batch where the server stages in memory;
/// - group commit: 8 bookings (16 messages) in one batch, counted in bookings.
struct AtomicBatchBenchmark: Benchmark {
    let name = "atomic-batch"
    let summary = "ADR-50 atomic batches of 2 (confirmed / pipelined / memory stream / 8 grouped) vs single publish vs raw js_Publish, 1 and 32 concurrent, sync always and server default"

    struct Plan: Sendable {
        var concurrencies = [1, 32]
        var secondsPerLayer: Double
        var subjectsPerWriter = 50
        var groupedBookings = 8

        init(quick: Bool) {
            secondsPerLayer = quick ? 1.5 : 4
        }
    }

    /// The booking bench's goals, here judged for the batch itself.
    static let throughputRatioGoal = 0.5
    static let p99RatioGoal = 0.25

    func run(_ context: BenchContext) async throws -> [Figure] {
        let plan = Plan(quick: context.quick)
        let payload = try BookingPlacedSample.sample(0).encoded()
        context.record("concurrent writers", plan.concurrencies.map(String.init).joined(separator: ", "))
        context.record("seconds per layer", plan.secondsPerLayer)
        context.record("message body bytes", payload.count)
        context.record("bookings per grouped batch", plan.groupedBookings)
        context.note("every message carries Nats-Expected-Last-Subject-Sequence and a Nats-Msg-Id, as a booking's events do")
        context.note("throughput ratio = figure / raw js_Publish (bookings or batches against single publishes); p99 ratio = raw p99 / figure p99")
        var figures: [Figure] = []
        for mode in NATSSyncMode.allCases {
            figures += try await withNATSServer(in: try context.folder("atomic-\(mode.rawValue)"), syncMode: mode) { server, connection in
                let layers = try await AtomicBatchLayers.prepare(connection.jetStream, payload: Array(payload))
                var modeFigures: [Figure] = []
                for concurrency in plan.concurrencies {
                    modeFigures += try await measure(layers, url: server.url, mode: mode, concurrency: concurrency, plan: plan, context: context)
                }
                return modeFigures
            }
        }
        return figures
    }
}
