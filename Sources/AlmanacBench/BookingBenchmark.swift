import Foundation
import LocalServers

/// Issue "Booking": placing bookings over HTTP through the real booking-web app (token check,
/// JSON, `cmd.booking.place` over NATS to the real command handler, decide, atomic append of
/// the resource and person events), against raw libnats `js_Publish` with the expected subject
/// sequence at the same concurrency on the same server in the same run.
///
/// Load: `clients` concurrent bookers (one person and one keep-alive connection each) over
/// `resources` desks of one seeded site; every request books a free half-hour, so all are
/// accepted. Raw and HTTP take turns, so a change in the shared machine's load falls on both.
/// Then "where the time goes": the same bookings through fewer layers (NATS request without
/// HTTP, the handler without NATS, the atomic append alone), an HTTP route that does nothing,
/// and token verification alone.
struct BookingBenchmark: Benchmark {
    let name = "booking"
    let summary = "place booking over HTTP (booking-web → NATS → handler → JetStream) vs raw js_Publish with expected sequence, sync always and server default, on one node (R1) and a 3-node cluster (R3)"

    struct Plan: Sendable {
        var clients = 32
        var resources = 1000
        var floors = 10
        /// Each side runs about this long per round (counts follow from a warm-up's rates).
        var secondsPerSide: Double
        var rounds: Int
        /// Each layer of the profile runs about this long.
        var secondsPerLayer: Double
        var warmupPerClient = 10

        init(quick: Bool) {
            secondsPerSide = quick ? 2 : 8
            rounds = quick ? 1 : 2
            secondsPerLayer = quick ? 1 : 4
        }
    }

    /// Goals of the issue: throughput at least half of raw, p99 at most 4× raw p99.
    static let throughputGoal = 0.5
    static let p99Goal = 0.25

    func run(_ context: BenchContext) async throws -> [Figure] {
        let plan = Plan(quick: context.quick)
        context.record("clients (concurrent bookers, one keep-alive connection each)", plan.clients)
        context.record("resources (desks of one site)", plan.resources)
        context.record("rounds (raw and HTTP in turns)", plan.rounds)
        context.record("seconds per side per round (target)", plan.secondsPerSide)
        context.record("seconds per profile layer (target)", plan.secondsPerLayer)
        context.note("one process runs the HTTP clients (libcurl), booking-web, the command handler and the raw publishers; nats-server shares the same cores")
        context.note("a booking is one atomic batch of two events (resource and person subject, each with its expected sequence); raw is one js_Publish")
        context.note("latency ratio = raw / booking, throughput ratio = booking / raw: 1.0 means as good as raw")
        context.note("topologies: one nats-server with R1 streams (as `almanac dev` runs), and 3 nodes on this machine with R3 streams (the production topology); raw js_Publish runs against a stream of the same replicas on the same servers")
        // Both durability settings, each on fresh servers: the production one the goals are
        // about, and the server default, which shows what fsync costs each layer.
        var figures: [Figure] = []
        for setting in BookingSetting.all {
            figures += try await withNATS(setting, in: try context.folder("nats-\(setting)")) { url, connection in
                let stack = try await BookingStack.start(natsURL: url, admin: connection, plan: plan, context: context, mode: setting)
                do {
                    let figures = try await compare(stack, plan: plan, mode: setting, context: context)
                        + profile(stack, plan: plan, mode: setting, context: context)
                    await stack.stop()
                    return figures
                } catch {
                    await stack.stop()
                    throw error
                }
            }
        }
        return figures
    }
}
