import Foundation
import NATSClient

extension AtomicBatchBenchmark {
    /// Raw `js_Publish` first (its rate sets the count for about `secondsPerLayer`), then each
    /// layer for `secondsPerLayer` at the same concurrency.
    func measure(_ layers: AtomicBatchLayers, url: String, mode: NATSSyncMode, concurrency: Int, plan: Plan,
                 context: BenchContext) async throws -> [Figure] {
        let group = "\(mode.label), \(concurrency) concurrent"
        let phase = "\(mode.label) · \(concurrency) concurrent"
        let payloadSize = layers.payload.count

        // Raw limit: libnats js_Publish with the expected subject sequence, no envelope.
        let rawSubjects = (0..<(concurrency * plan.subjectsPerWriter)).map { "raw.c\(concurrency).r\($0)" }
        let warmup = try await BlockingThread.run("almanac.bench.raw-publish") {
            try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: rawSubjects.map { $0 + ".warmup" }, threads: concurrency,
                                                                 total: concurrency * 20, payloadSize: payloadSize)
        }
        let rawTotal = EventStoreBenchmark.appendCount(rate: warmup.perSecond, seconds: plan.secondsPerLayer, publishers: concurrency)
        let rawProgress = context.progress("\(phase) · raw js_Publish", total: rawTotal, unit: "publishes")
        let raw = try await BlockingThread.run("almanac.bench.raw-publish") {
            try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: rawSubjects, threads: concurrency, total: rawTotal,
                                                                 payloadSize: payloadSize)
        }
        rawProgress.finish(done: raw.messages)
        let rawLatency = LatencyStatistics(seconds: raw.latencies)

        var figures: [Figure] = [
            .absolute("raw js_Publish: throughput", group: group, value: raw.perSecond, unit: "publishes/s", higherIsBetter: true, goal: nil),
            .absolute("raw js_Publish: p99", group: group, value: rawLatency.p99, unit: "ms", higherIsBetter: false, goal: nil),
        ]
        func layer(_ name: String, unit: String, perOperation: Int = 1, goals: Bool, _ operation: @escaping TimedLoad.Operation) async throws {
            let progress = context.progress("\(phase) · \(name)", total: nil, unit: unit)
            let run = try await TimedLoad.run(tasks: concurrency, seconds: plan.secondsPerLayer, progress: progress, operation)
            progress.finish(done: run.appends)
            let latency = LatencyStatistics(seconds: run.latencies)
            figures += [
                .compared("\(name): throughput", group: group, value: run.perSecond * Double(perOperation), unit: "\(unit)/s",
                          rawLimitName: "js_Publish", rawLimit: raw.perSecond, higherIsBetter: true, ratioGoal: goals ? Self.throughputRatioGoal : nil),
                .compared("\(name): p50", group: group, value: latency.p50, unit: "ms", rawLimitName: "js_Publish p50", rawLimit: rawLatency.p50,
                          higherIsBetter: false, ratioGoal: nil),
                .compared("\(name): p99", group: group, value: latency.p99, unit: "ms", rawLimitName: "js_Publish p99", rawLimit: rawLatency.p99,
                          higherIsBetter: false, ratioGoal: goals ? Self.p99RatioGoal : nil),
            ]
        }

        let run = "c\(concurrency)"
        let singles = WriterSubjects(prefix: "atomic.\(run).single", writers: concurrency, subjectsPerWriter: plan.subjectsPerWriter)
        try await layer("single publish", unit: "publishes", goals: false) { task in try await layers.single(singles, task: task) }

        let confirmed = WriterSubjects(prefix: "atomic.\(run).confirmed", writers: concurrency, subjectsPerWriter: plan.subjectsPerWriter)
        try await layer("batch of 2, confirm first", unit: "batches", goals: true) { task in
            try await layers.batch(confirmed, task: task, bookings: 1, pacing: .confirmFirst)
        }

        let pipelined = WriterSubjects(prefix: "atomic.\(run).pipelined", writers: concurrency, subjectsPerWriter: plan.subjectsPerWriter)
        try await layer("batch of 2, pipelined", unit: "batches", goals: true) { task in
            try await layers.batch(pipelined, task: task, bookings: 1, pacing: .pipelined)
        }

        // Evidence for where the time goes: the same batch on a memory stream, where the
        // server stages a batch in memory instead of in a file store of its own.
        let memory = WriterSubjects(prefix: "memory.\(run)", writers: concurrency, subjectsPerWriter: plan.subjectsPerWriter)
        try await layer("batch of 2, memory stream", unit: "batches", goals: false) { task in
            try await layers.batch(memory, task: task, bookings: 1, pacing: .confirmFirst)
        }

        // Group commit: several bookings share one batch, so the per-batch cost is shared.
        let grouped = WriterSubjects(prefix: "atomic.\(run).grouped", writers: concurrency, subjectsPerWriter: plan.subjectsPerWriter)
        try await layer("\(plan.groupedBookings) bookings in one batch", unit: "bookings", perOperation: plan.groupedBookings, goals: false) { task in
            try await layers.batch(grouped, task: task, bookings: plan.groupedBookings, pacing: .confirmFirst)
        }
        return figures
    }
}
