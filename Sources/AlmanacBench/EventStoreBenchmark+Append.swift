import EventStore
import Foundation
import LocalServers
import NATSClient

extension EventStoreBenchmark {
    /// Phase (a) on a fresh server in `mode`: warm-up, then raw publish and EventStore append
    /// in turns.
    func appendPhase(_ mode: NATSSyncMode, plan: Plan, payloadBytes: Int, context: BenchContext) async throws -> [Figure] {
        try await withNATSServer(in: try context.folder("append-\(mode.rawValue)"), syncMode: mode) { server, connection in
            let jetStream = connection.jetStream
            for (stream, subjects) in [("BENCH_WARMUP", "warmup.>"), ("BENCH_RAW", "raw.>"), ("BENCH_STORE", "store.>")] {
                try await jetStream.createOrUpdateStream(Self.bookingsLikeStream(stream, subjects: subjects))
            }
            let store = EventStore(jetStream: jetStream, stream: "BENCH_STORE", registry: BookingPlacedSample.registry)
            let warmupStore = EventStore(jetStream: jetStream, stream: "BENCH_WARMUP", registry: BookingPlacedSample.registry)

            // Warm-up: both paths once, and the raw rate tells how many appends fill the time.
            let warmupSubjects = (0..<(plan.publishers * 4)).map { "warmup.raw.w\($0)" }
            let warmup = try await BlockingThread.run("almanac.bench.raw-publish") { [url = server.url, plan] in
                try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: warmupSubjects, threads: plan.publishers,
                                                                     total: plan.warmupAppends, payloadSize: payloadBytes)
            }
            _ = try await Self.appendConcurrently(warmupStore, subjects: warmupSubjects.map { $0.replacingOccurrences(of: ".raw.", with: ".store.") },
                                                  tasks: plan.publishers, total: plan.warmupAppends, keyPrefix: "warmup", progress: nil)
            let total = Self.appendCount(rate: warmup.perSecond, seconds: plan.appendSecondsPerSide, publishers: plan.publishers)
            let perRound = Self.appendCount(rate: Double(total), seconds: 1 / Double(plan.rounds), publishers: plan.publishers)
            context.record("appends per side, \(mode.label)", perRound * plan.rounds)

            // Raw and EventStore take turns, so a change in the machine's load (it is shared)
            // falls on both sides alike. Each round writes 1000 subjects of its own.
            var raw = Totals(), appended = Totals()
            var peakMB = 0.0
            for round in 1...plan.rounds {
                let phase = "\(mode.label) · round \(round)/\(plan.rounds)"
                // Raw limit: libnats js_Publish with the expected subject sequence, no envelope.
                let rawSubjects = (0..<plan.subjects).map { "raw.r\(round).resource.r\($0)" }
                let alreadyStored = raw.operations
                let rawProgress = context.progress("\(phase) · raw js_Publish", total: perRound, unit: "publishes") {
                    (try? await jetStream.streamInfo("BENCH_RAW").state.messages).map { Int($0) - alreadyStored }
                }
                let (rawRun, rawCPU) = try await ProcessCPUTime.measure {
                    try await BlockingThread.run("almanac.bench.raw-publish") { [url = server.url, plan] in
                        try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: rawSubjects, threads: plan.publishers,
                                                                             total: perRound, payloadSize: payloadBytes)
                    }
                }
                rawProgress.finish(done: rawRun.messages)
                raw.add(operations: rawRun.messages, seconds: rawRun.seconds, cpuSeconds: rawCPU, latencies: rawRun.latencies)

                // EventStore.append with the envelope, the same load. The peak is taken over
                // the EventStore rounds only.
                let storeSubjects = (0..<plan.subjects).map { "store.r\(round).resource.r\($0)" }
                PeakMemory.reset()
                let storeProgress = context.progress("\(phase) · EventStore.append", total: perRound, unit: "appends")
                let (run, storeCPU) = try await ProcessCPUTime.measure {
                    try await Self.appendConcurrently(store, subjects: storeSubjects, tasks: plan.publishers, total: perRound,
                                                      keyPrefix: "cmd-\(round)", progress: storeProgress)
                }
                storeProgress.finish(done: run.appends)
                peakMB = max(peakMB, PeakMemory.megabytes() ?? 0)
                appended.add(operations: run.appends, seconds: run.seconds, cpuSeconds: storeCPU, latencies: run.latencies)
            }
            let rawLatency = LatencyStatistics(seconds: raw.latencies)
            let storeLatency = LatencyStatistics(seconds: appended.latencies)

            let stored = try await jetStream.streamInfo("BENCH_STORE").state.messages
            guard stored == UInt64(appended.operations) else {
                throw BenchError("\(mode.label): EventStore reported \(appended.operations) appends but the stream holds \(stored)")
            }
            let group = mode.label
            return [
                .compared("append throughput", group: group, value: appended.perSecond, unit: "appends/s",
                          rawLimitName: "js_Publish", rawLimit: raw.perSecond, higherIsBetter: true, ratioGoal: Self.ratioGoal),
                .compared("append latency p50", group: group, value: storeLatency.p50, unit: "ms",
                          rawLimitName: "js_Publish p50", rawLimit: rawLatency.p50, higherIsBetter: false, ratioGoal: Self.ratioGoal),
                .compared("append latency p99", group: group, value: storeLatency.p99, unit: "ms",
                          rawLimitName: "js_Publish p99", rawLimit: rawLatency.p99, higherIsBetter: false, ratioGoal: Self.ratioGoal),
                // No goal: where the time goes. The client shares the 2 cores with the server, so
                // client CPU per append is server throughput lost.
                .compared("client CPU per append", group: group, value: appended.cpuMicroseconds, unit: "µs",
                          rawLimitName: "js_Publish", rawLimit: raw.cpuMicroseconds, higherIsBetter: false, ratioGoal: nil),
                .absolute("peak memory, appending", group: group, value: peakMB, unit: "MB", higherIsBetter: false,
                          goal: Self.appendMemoryGoalMB),
            ]
        }
    }

    /// What the rounds of one side add up to.
    struct Totals {
        var operations = 0
        var seconds = 0.0
        var cpuSeconds = 0.0
        var latencies: [Double] = []

        mutating func add(operations: Int, seconds: Double, cpuSeconds: Double, latencies: [Double]) {
            self.operations += operations
            self.seconds += seconds
            self.cpuSeconds += cpuSeconds
            self.latencies += latencies
        }

        var perSecond: Double { Double(operations) / seconds }
        var cpuMicroseconds: Double { cpuSeconds / Double(operations) * 1e6 }
    }

    /// A multiple of `publishers` that takes about `seconds` at `rate`, within sane bounds.
    static func appendCount(rate: Double, seconds: Double, publishers: Int) -> Int {
        let wanted = Int((rate * seconds).rounded())
        let bounded = min(max(wanted, publishers * 100), publishers * 250_000)
        return (bounded / publishers) * publishers
    }

    /// `ConcurrentAppends` through `EventStore.append`, one booking event per append with the
    /// envelope and a command idempotency key.
    static func appendConcurrently(_ store: EventStore, subjects: [String], tasks: Int, total: Int, keyPrefix: String,
                                   progress: ProgressReporter?) async throws -> ConcurrentAppends.Run {
        // Events are made before the clock runs: building a booking is the domain's cost,
        // encoding and storing it the store's.
        let events = subjects.indices.map { BookingPlacedSample.sample($0) }
        let eventBySubject = Dictionary(uniqueKeysWithValues: zip(subjects, events))
        let metadata = EventMetadata(correlationId: UUID().uuidString.lowercased(), actor: "user-f3b1c2d4")
        return try await ConcurrentAppends.run(tasks: tasks, subjects: subjects, total: total, progress: progress) { subject, expected, task, index in
            try await store.append([eventBySubject[subject]!], to: subject, expecting: expected == 0 ? .noStream : .sequence(expected),
                                   idempotencyKey: "\(keyPrefix)-\(task)-\(index)", metadata: metadata).lastSequence
        }
    }
}
