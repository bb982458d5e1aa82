import EventStore
import Foundation
import LocalServers
import NATSClient

extension EventStoreLayersBenchmark {
    func appendLayers(plan: EventStoreBenchmark.Plan, server: LocalNATSServer, connection: NATSConnection,
                      context: BenchContext) async throws -> [Figure] {
        let jetStream = connection.jetStream
        let raw = "raw js_Publish", plain = "JetStream.publish", enveloped = "+ envelope, msg id", stored = "EventStore.append"
        let streams = ["RAW", "PUBLISH", "ENVELOPE", "STORE", "WARMUP"]
        for stream in streams {
            try await jetStream.createOrUpdateStream(EventStoreBenchmark.bookingsLikeStream("LAYER_\(stream)", subjects: "\(stream.lowercased()).>"))
        }
        let body = try BookingPlacedSample.sample(0).encoded()
        let warmup = try await BlockingThread.run("almanac.bench.raw-publish") { [url = server.url] in
            try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: (0..<64).map { "warmup.w\($0)" }, threads: plan.publishers,
                                                                 total: plan.warmupAppends, payloadSize: body.count)
        }
        let perRound = EventStoreBenchmark.appendCount(rate: warmup.perSecond, seconds: plan.appendSecondsPerSide / 2, publishers: plan.publishers)
        context.record("appends per layer per round", perRound)
        let headers = Self.envelopeHeaders(occurredAt: Date())
        let store = EventStore(jetStream: jetStream, stream: "LAYER_STORE", registry: BookingPlacedSample.registry)

        var results = LayerResults()
        for round in 0..<Self.rounds {
            // Fresh subjects each round, so every writer starts from "no message yet".
            func subjects(_ prefix: String) -> [String] { (0..<plan.subjects).map { "\(prefix).r\(round).resource.r\($0)" } }
            let rawSubjects = subjects("raw")
            let progress = context.progress("round \(round + 1) · \(raw)", total: perRound, unit: "publishes")
            let (rawRun, rawCPU) = try await ProcessCPUTime.measure {
                try await BlockingThread.run("almanac.bench.raw-publish") { [url = server.url] in
                    try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: rawSubjects, threads: plan.publishers,
                                                                         total: perRound, payloadSize: body.count)
                }
            }
            progress.finish(done: rawRun.messages)
            results.add(raw, operations: rawRun.messages, seconds: rawRun.seconds, cpuSeconds: rawCPU)

            // The Swift request path: same body and expectation, nothing else.
            try await measure(plain, round: round, total: perRound, subjects: subjects("publish"), plan: plan, context: context, into: &results) { subject, expected, _, _ in
                try await jetStream.publish(subject, payload: body, options: PublishOptions(expectedLastSubjectSequence: expected)).seq
            }
            // + what the envelope puts on the wire and makes the server do: the headers and a
            // message id it deduplicates on.
            try await measure(enveloped, round: round, total: perRound, subjects: subjects("envelope"), plan: plan, context: context, into: &results) { subject, expected, task, index in
                try await jetStream.publish(subject, payload: body, headers: headers,
                                            options: PublishOptions(messageId: "cmd-\(round)-\(task)-\(index)/0", expectedLastSubjectSequence: expected)).seq
            }
            let storeProgress = context.progress("round \(round + 1) · \(stored)", total: perRound, unit: "appends")
            let (appended, storeCPU) = try await ProcessCPUTime.measure {
                try await EventStoreBenchmark.appendConcurrently(store, subjects: subjects("store"), tasks: plan.publishers, total: perRound,
                                                                 keyPrefix: "cmd-\(round)", progress: storeProgress)
            }
            storeProgress.finish(done: appended.appends)
            results.add(stored, operations: appended.appends, seconds: appended.seconds, cpuSeconds: storeCPU)
        }
        return results.figures(group: "append (sync default)", unit: "appends/s", raw: raw, rawName: "js_Publish",
                               layers: [raw, plain, enveloped, stored])
    }

    private func measure(_ layer: String, round: Int, total: Int, subjects: [String], plan: EventStoreBenchmark.Plan, context: BenchContext,
                         into results: inout LayerResults, _ append: @escaping ConcurrentAppends.Append) async throws {
        let progress = context.progress("round \(round + 1) · \(layer)", total: total, unit: "appends")
        let (run, cpu) = try await ProcessCPUTime.measure {
            try await ConcurrentAppends.run(tasks: plan.publishers, subjects: subjects, total: total, progress: progress, append)
        }
        progress.finish(done: run.appends)
        results.add(layer, operations: run.appends, seconds: run.seconds, cpuSeconds: cpu)
    }
}
