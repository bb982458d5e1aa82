import EventStore
import Foundation
import LocalServers
import NATSClient

extension EventStoreLayersBenchmark {
    func readLayers(events count: Int, plan: EventStoreBenchmark.Plan, context: BenchContext) async throws -> [Figure] {
        let stream = "LAYER_READ"
        let raw = "raw fetch+ack", delivered = "OrderedConsumer", decoded = "EventStore.subscribe"
        context.record("stored events (read layers)", count)
        return try await withNATSServer(in: try context.folder("read"), syncMode: .serverDefault) { server, connection in
            let jetStream = connection.jetStream
            try await EventStoreBenchmark.load(count, into: stream, subjects: "read.>", plan: plan, server: server, connection: connection,
                                               label: "read layers · loading", context: context)
            let store = EventStore(jetStream: jetStream, stream: stream, registry: BookingPlacedSample.registry)
            var results = LayerResults()
            for round in 0..<Self.rounds {
                let progress = context.progress("round \(round + 1) · \(raw)", total: count, unit: "messages")
                do {
                    let (run, cpu) = try await ProcessCPUTime.measure {
                        try await BlockingThread.run("almanac.bench.raw-fetch") { [url = server.url, batch = plan.fetchBatch] in
                            try RawJetStreamBaseline.fetchAndAck(url: url, stream: stream, count: count, batch: batch)
                        }
                    }
                    progress.finish(done: run.messages)
                    results.add(raw, operations: run.messages, seconds: run.seconds, cpuSeconds: cpu)
                } catch {
                    progress.fail()
                    context.note("\(raw) failed: \(error)")
                }
                try await readAll(delivered, round: round, count: count, context: context, into: &results) {
                    var read = 0
                    for try await batch in try await OrderedConsumer.start(jetStream, stream: stream, filter: "read.>", mode: .untilCaughtUp,
                                                                           bufferSize: plan.subscribeBuffer) {
                        read += batch.count
                        $0.advance(by: batch.count)
                    }
                    return read
                }
                try await readAll(decoded, round: round, count: count, context: context, into: &results) {
                    var read = 0
                    for try await batch in try await store.subscribe(filter: "read.>", mode: .untilCaughtUp, bufferSize: plan.subscribeBuffer) {
                        read += batch.reduce(0) { $0 + ($1.event is BookingPlacedSample ? 1 : 0) }
                        $0.advance(by: batch.count)
                    }
                    return read
                }
            }
            return results.figures(group: "read (sync default)", unit: "events/s", raw: raw, rawName: "fetch+ack",
                                   layers: [raw, delivered, decoded])
        }
    }

    /// Runs one read layer; a failing or short read is noted and left out of the medians.
    private func readAll(_ layer: String, round: Int, count: Int, context: BenchContext, into results: inout LayerResults,
                         _ read: (ProgressReporter) async throws -> Int) async throws {
        let progress = context.progress("round \(round + 1) · \(layer)", total: count, unit: "events")
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuBefore = ProcessCPUTime.seconds()
        do {
            let got = try await read(progress)
            let seconds = secondsSince(start)
            progress.finish(done: got)
            guard got == count else {
                context.note("\(layer) read \(got) of \(count) events")
                return
            }
            results.add(layer, operations: got, seconds: seconds, cpuSeconds: ProcessCPUTime.seconds() - cpuBefore)
        } catch {
            progress.fail()
            context.note("\(layer) failed: \(error)")
        }
    }
}
