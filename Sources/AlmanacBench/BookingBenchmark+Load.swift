import Booking
import BookingService
import CommandBus
import EventStore
import Foundation
import HTTPClient
import NATSClient

/// `tasks` concurrent workers repeating one operation until `seconds` have passed; each
/// operation's latency is kept.
enum TimedLoad {
    typealias Operation = @Sendable (_ task: Int) async throws -> Void

    static func run(tasks: Int, seconds: Double, progress: ProgressReporter?, _ operation: @escaping Operation) async throws -> ConcurrentAppends.Run {
        let start = DispatchTime.now().uptimeNanoseconds
        let end = start + UInt64(seconds * 1e9)
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var latencies: [Double] = []
                    while DispatchTime.now().uptimeNanoseconds < end {
                        let begin = DispatchTime.now().uptimeNanoseconds
                        try await operation(task)
                        latencies.append(secondsSince(begin))
                        progress?.advance()
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        return ConcurrentAppends.Run(appends: latencies.count, seconds: secondsSince(start), latencies: latencies)
    }
}

extension BookingStack {
    /// `POST /api/bookings` for booker `task` on the next free desk and half-hour; anything but
    /// 201 Created stops the benchmark (every booking asked for is free).
    func placeOverHTTP(task: Int) async throws {
        let (resource, start, end) = slots.take()
        let booker = bookers[task]
        let body = #"{"siteId":"\#(Self.siteId)","resourceId":"\#(resourceIds[resource])","start":"\#(Timestamp.format(start))","end":"\#(Timestamp.format(end))","bookerTimeZone":"\#(Self.zone)"}"#
        let request = HTTPRequest(method: .post, url: placeURL, headers: HTTPHeaders([
            .init(name: "Authorization", value: "Bearer \(booker.token)"),
            .init(name: "Idempotency-Key", value: UUID().uuidString),
            .init(name: "Content-Type", value: "application/json"),
        ]), body: Data(body.utf8))
        let begin = DispatchTime.now().uptimeNanoseconds
        let answer = try await http.execute(request)
        timings.record(answer, clientSeconds: secondsSince(begin))
        guard answer.status == 201 else {
            throw BenchError("POST /api/bookings answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    var placeURL: URL { URL(string: baseURL + "/api/bookings")! }

    /// The place command booker `task` would send, on the next free desk and half-hour.
    func nextPlace(task: Int) -> BookingCommand {
        let (resource, start, end) = slots.take()
        return .place(PlaceBooking(idempotencyKey: UUID().uuidString, bookingId: "bk-\(UUID().uuidString.prefix(18).lowercased())",
                                   siteId: Self.siteId, resourceId: resourceIds[resource], start: start, end: end, bookerTimeZone: Self.zone))
    }
}

extension BookingBenchmark {
    /// Raw and HTTP in turns; the figures the issue's goals are about.
    func compare(_ stack: BookingStack, plan: Plan, mode: BookingSetting, context: BenchContext) async throws -> [Figure] {
        let jetStream = stack.admin.jetStream
        var rawStream = EventStoreBenchmark.bookingsLikeStream("BENCH_RAW", subjects: "raw.>")
        // The same replicas as BOOKINGS on the same servers, so raw pays what a booking pays.
        rawStream.replicas = mode.topology.replicas
        try await JetStreamSetUp.retrying("creating BENCH_RAW (\(mode.label))") {
            try await JetStreamSetUp.patient(jetStream).createOrUpdateStream(rawStream)
        }
        let payloadBytes = try BookingPlacedSample.sample(0).encoded().count
        context.record("raw message bytes", payloadBytes)
        let warmupSubjects = (0..<plan.resources).map { "raw.warmup.resource.r\($0)" }
        let warmup = try await BlockingThread.run("almanac.bench.raw-publish") { [url = stack.natsURL, clients = plan.clients] in
            try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: warmupSubjects, threads: clients, total: clients * 40,
                                                                 payloadSize: payloadBytes)
        }
        _ = try await TimedLoad.run(tasks: plan.clients, seconds: 1, progress: nil) { task in try await stack.placeOverHTTP(task: task) }
        let rawPerRound = EventStoreBenchmark.appendCount(rate: warmup.perSecond, seconds: plan.secondsPerSide, publishers: plan.clients)
        context.record("raw publishes per round, \(mode.label)", rawPerRound)

        var raw = EventStoreBenchmark.Totals(), placed = EventStoreBenchmark.Totals()
        var placedCPU: (before: MachineCPU.Snapshot, after: MachineCPU.Snapshot, seconds: Double, bookings: Int)?
        for round in 1...plan.rounds {
            let phase = "\(mode.label) · round \(round)/\(plan.rounds)"
            let rawSubjects = (0..<plan.resources).map { "raw.r\(round).resource.r\($0)" }
            let stored = raw.operations + warmup.messages
            let rawProgress = context.progress("\(phase) · raw js_Publish", total: rawPerRound, unit: "publishes") {
                (try? await jetStream.streamInfo("BENCH_RAW").state.messages).map { Int($0) - stored }
            }
            let (rawRun, rawCPU) = try await ProcessCPUTime.measure {
                try await BlockingThread.run("almanac.bench.raw-publish") { [url = stack.natsURL, clients = plan.clients] in
                    try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: rawSubjects, threads: clients, total: rawPerRound,
                                                                         payloadSize: payloadBytes)
                }
            }
            rawProgress.finish(done: rawRun.messages)
            raw.add(operations: rawRun.messages, seconds: rawRun.seconds, cpuSeconds: rawCPU, latencies: rawRun.latencies)

            let httpProgress = context.progress("\(phase) · place over HTTP", total: nil, unit: "bookings")
            stack.timings.record(true)
            defer { stack.timings.record(false) }
            let machineBefore = MachineCPU.snapshot()
            let (run, cpu) = try await ProcessCPUTime.measure {
                try await TimedLoad.run(tasks: plan.clients, seconds: plan.secondsPerSide, progress: httpProgress) { task in
                    try await stack.placeOverHTTP(task: task)
                }
            }
            // The last round's: by then caches and connections are warm.
            placedCPU = (machineBefore, MachineCPU.snapshot(), run.seconds, run.appends)
            httpProgress.finish(done: run.appends)
            placed.add(operations: run.appends, seconds: run.seconds, cpuSeconds: cpu, latencies: run.latencies)
        }
        context.record("bookings placed over HTTP (measured), \(mode.label)", placed.operations)
        let grouping = stack.handler.groupCommit.statistics
        context.record("group commit since start (seeding included), \(mode.label)",
                       "\(grouping.commands) commands in \(grouping.groups) appends (\(String(format: "%.1f", Double(grouping.commands) / Double(max(grouping.groups, 1)))) per append), \(grouping.refusedGroups) groups refused")
        let rawLatency = LatencyStatistics(seconds: raw.latencies)
        let placedLatency = LatencyStatistics(seconds: placed.latencies)
        let group = "place booking over HTTP, \(plan.clients) clients, \(mode.label)"
        let lastRound = placedCPU.map { cpu in
            MachineCPU.figures(from: cpu.before, to: cpu.after, seconds: cpu.seconds, operations: cpu.bookings,
                               group: "who burns the CPU while placing over HTTP (last round), \(mode.label)", unit: "booking")
        } ?? []
        return lastRound + stack.timings.figures(group: "where an HTTP place spends its time (booking-web Server-Timing), \(plan.clients) clients, \(mode.label)") + [
            .compared("throughput", group: group, value: placed.perSecond, unit: "bookings/s", rawLimitName: "js_Publish",
                      rawLimit: raw.perSecond, higherIsBetter: true, ratioGoal: Self.throughputGoal),
            .compared("latency p50", group: group, value: placedLatency.p50, unit: "ms", rawLimitName: "js_Publish p50",
                      rawLimit: rawLatency.p50, higherIsBetter: false, ratioGoal: nil),
            .compared("latency p99", group: group, value: placedLatency.p99, unit: "ms", rawLimitName: "js_Publish p99",
                      rawLimit: rawLatency.p99, higherIsBetter: false, ratioGoal: Self.p99Goal),
            // No goal: the bench process runs client, web app and handler, so this is the
            // whole Almanac side's CPU per booking, next to the raw publisher's.
            .compared("CPU per booking (this process)", group: group, value: placed.cpuMicroseconds, unit: "µs",
                      rawLimitName: "js_Publish", rawLimit: raw.cpuMicroseconds, higherIsBetter: false, ratioGoal: nil),
        ]
    }
}
