import AlmanacEvents
import EventStore
import FlowControl
import Flows
import Foundation
import LocalServers
import NATSClient
import Synchronization

extension FlowsBenchmark {
    /// Completed runs/s of the three-step `publish_event` flow with `plan.inFlight` runs started
    /// and not yet completed at any time (a new one starts as one completes), from the first
    /// start to the last completion. The messages one run needs are counted from the streams'
    /// sequences (run events, jobs, published events, timers) plus the acks of the run events
    /// (flow-control's consumer) and of the jobs (the runtime's); the raw limit is the same
    /// server's async publish rate divided by that count.
    func measureRuns(_ context: BenchContext, services: Services, server: LocalNATSServer, connection: NATSConnection, plan: Plan) async throws -> [Figure] {
        let jetStream = connection.jetStream
        let streams = [AlmanacStreams.runs, AlmanacStreams.work, AlmanacStreams.events, AlmanacStreams.schedules]
        func sequences() async throws -> [UInt64] {
            var values: [UInt64] = []
            for stream in streams { values.append(try await jetStream.streamInfo(stream).state.lastSequence) }
            return values
        }
        let runs = EventStore(jetStream: jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
        let before = try await sequences()
        let subscription = try await runs.subscribe(filter: "runs.\(Self.threeStepFlow.id).*", from: before[0] + 1, mode: .live)
        // One token per run that may start: `inFlight` at first, one more per completion.
        let (tokens, token) = AsyncStream<Void>.makeStream()
        for _ in 0..<min(plan.inFlight, plan.runs) { token.yield() }
        let progress = context.progress("3-step runs, \(plan.inFlight) in flight", total: plan.runs, unit: "runs")
        let began = DispatchTime.now().uptimeNanoseconds
        let control = services.control
        let total = plan.runs
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var started = 0
                    try await withThrowingTaskGroup(of: Void.self) { starts in
                        for await _ in tokens {
                            // Starts go `startsAtOnce` at a time (as a few callers of the
                            // manual-run API would start them).
                            if started >= Self.startsAtOnce { try await starts.next() }
                            let index = started
                            started += 1
                            starts.addTask {
                                _ = try await control.startManualRun(flowId: Self.threeStepFlow.id, input: [:], actor: ManualActor(id: "bench"),
                                                                     idempotencyKey: "bench-run-\(index)")
                            }
                            if started == total { break }
                        }
                        try await starts.waitForAll()
                    }
                }
                group.addTask {
                    var completed = 0
                    outer: for try await batch in subscription {
                        for recorded in batch {
                            switch RunEvent(payload: recorded.event) {
                            case .completed:
                                completed += 1
                                progress.advance()
                                if completed + plan.inFlight <= total { token.yield() }
                                if completed == total { break outer }
                            case .failed(let failed):
                                throw BenchError("a run failed: \(failed)")
                            default:
                                break
                            }
                        }
                    }
                    token.finish()
                }
                try await group.waitForAll()
            }
        } catch {
            subscription.stop()
            progress.fail()
            throw error
        }
        subscription.stop()
        let seconds = secondsSince(began)
        progress.finish(done: total)
        let runRate = Double(total) / seconds

        // What one run needed, as counted.
        let after = try await sequences()
        let published = zip(after, before).map { Double($0 - $1) / Double(total) }
        let acks = published[0] + published[1]
        let perRun = published.reduce(0, +) + acks
        context.record("messages per run (counted)", NumberText.fixed(perRun, 1))
        context.record("per run: run events, jobs, events, timers, acks",
                       ([published[0], published[1], published[2], published[3], acks]).map { NumberText.fixed($0, 1) }.joined(separator: ", "))

        // Raw limit: async publishes with envelope-sized headers on the same server.
        let rawProgress = context.progress("raw async publish", total: plan.rawPublishes, unit: "messages")
        let rawSeconds = try await BlockingThread.run("almanac.bench.raw-async") { [url = server.url, count = plan.rawPublishes] in
            let start = DispatchTime.now().uptimeNanoseconds
            try RawJetStreamBaseline.fill(url: url, subjects: (0..<64).map { "benchraw.async.s\($0)" }, count: count,
                                          headers: EventStoreBenchmark.envelopeHeaders(), payload: [UInt8](repeating: UInt8(ascii: "x"), count: 400)) {
                rawProgress.set($0)
            }
            return secondsSince(start)
        }
        rawProgress.finish(done: plan.rawPublishes)
        let rawRate = Double(plan.rawPublishes) / rawSeconds
        let group = "3-step flow"
        return [
            .absolute("raw async publish", group: "limits", value: rawRate, unit: "msgs/s", higherIsBetter: true, goal: nil),
            .absolute("messages per run", group: group, value: perRun, unit: "msgs", higherIsBetter: false, goal: nil),
            .compared("completed runs", group: group, value: runRate, unit: "runs/s", rawLimitName: "raw async publish ÷ messages per run",
                      rawLimit: rawRate / perRun, higherIsBetter: true, ratioGoal: Self.runRateGoal),
        ]
    }
}
