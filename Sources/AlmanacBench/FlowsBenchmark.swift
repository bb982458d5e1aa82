import AlmanacEvents
import EventStore
import FlowRuntime
import Flows
import Foundation
import LocalServers
import Logging
import NATSClient

/// Issue 5's flow figures, each beside the same run's raw limit: (a) booking placed (a command
/// over NATS to an in-process booking handler) → confirmation mail accepted by a real SMTP
/// server on loopback, p50/p99, beside raw js_Publish round trips; (b) completed runs/s of a
/// three-step `publish_event` flow with 1000 runs in flight, beside the raw async publish rate
/// divided by the messages one run needs (counted in the run, not assumed).
///
/// Flow-control and flow-runtime run in this process, as `almanac dev` runs them; nats-server
/// runs with the server's default sync (the default of the other benches' "sync default" rows).
struct FlowsBenchmark: Benchmark {
    let name = "flows"
    let summary = "booking → mail accepted by SMTP (p50/p99) vs raw js_Publish RTT; 3-step runs/s vs raw async publish ÷ messages per run"

    /// p99 of booking → mail at most 10× the raw round trip's p99.
    static let mailLatencyGoal = 0.1
    /// Completed runs/s at least 0.3 of the raw rate ÷ messages per run.
    static let runRateGoal = 0.3
    /// Runs being started at once (a start was an atomic batch, of which the server takes a few
    /// dozen open at once; now two publishes, but the figure stays comparable).
    static let startsAtOnce = 16
    /// The runtime's jobs in hand at once: the `almanac flow-runtime` default (one fetch serves
    /// them all, so jobs in hand hold no thread of NATSClient's offload queue).
    static let runtimeConcurrency = FlowRuntimeConfiguration().concurrency

    struct Plan {
        let bookings: Int
        let runs: Int
        let inFlight = 1000
        let rawPublishes: Int
        let rawRoundTrips: Int

        init(quick: Bool) {
            bookings = quick ? 40 : 200
            runs = quick ? 1000 : 5000
            rawPublishes = quick ? 50_000 : 200_000
            rawRoundTrips = quick ? 2000 : 10_000
        }
    }

    func run(_ context: BenchContext) async throws -> [Figure] {
        let plan = Plan(quick: context.quick)
        context.record("bookings (sequential, each waits for its mail)", plan.bookings)
        context.record("runs of the 3-step flow", plan.runs)
        context.record("runs in flight", plan.inFlight)
        context.note("flow-control, flow-runtime and the booking handler run in the benchmark's process; the SMTP server is Python aiosmtpd")
        context.note("nats-server with its default sync interval")
        let sink = try await SMTPSink.start()
        do {
            let figures = try await withNATSServer(in: try context.folder("nats"), syncMode: .serverDefault) { server, connection -> [Figure] in
                try await AlmanacStreams.ensure(on: connection.jetStream)
                _ = try await connection.jetStream.createOrUpdateStream(EventStoreBenchmark.bookingsLikeStream("BENCH_RAW", subjects: "benchraw.>"))
                return try await Self.withServices(connection: connection, sink: sink) { services in
                    let mail = try await measureMail(context, services: services, server: server, sink: sink, plan: plan)
                    let runs = try await measureRuns(context, services: services, server: server, connection: connection, plan: plan)
                    return mail + runs
                }
            }
            await sink.stop()
            return figures
        } catch {
            await sink.stop()
            throw error
        }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "almanac.bench.flows")
        logger.logLevel = .error
        return logger
    }

    /// Appends the flow's creation and version 1 to `FLOWS`, as the designer's publish does
    /// (AlmanacBench does not depend on FlowDesigner).
    static func publish(_ flow: FlowDefinition, on jetStream: JetStream) async throws {
        let flows = EventStore(jetStream: jetStream, stream: AlmanacStreams.flows, registry: AlmanacEventCatalog.registry)
        _ = try await flows.append([FlowCreated(flowId: flow.id, name: flow.name, createdBy: "bench"),
                                    FlowPublished(flowId: flow.id, version: 1, definition: flow, publishedBy: "bench")],
                                   to: "flows.\(flow.id)", expecting: .noStream)
    }
}
