import EventStore
import Foundation
import LocalServers
import NATSClient

extension EventStoreBenchmark {
    /// Phase (b): stores `plan.storedEvents` booking events with the server default (fast),
    /// restarts the server on the same store in `mode`, then reads everything twice: raw pull
    /// fetch + ack, and EventStore.subscribe decoding every event.
    func readPhase(_ mode: NATSSyncMode, plan: Plan, context: BenchContext) async throws -> [Figure] {
        let folder = try context.folder("read-\(mode.rawValue)")
        let stream = "BENCH_READ"
        let count = plan.storedEvents
        try await withNATSServer(in: folder, syncMode: .serverDefault) { server, connection in
            try await Self.load(count, into: stream, subjects: "read.>", plan: plan, server: server, connection: connection,
                                label: "\(mode.label) · loading", context: context)
        }

        return try await withNATSServer(in: folder, syncMode: mode) { server, connection in
            let jetStream = connection.jetStream
            let rawProgress = context.progress("\(mode.label) · raw fetch + ack", total: count, unit: "messages") {
                (try? await jetStream.consumers(stream: stream))?.map { Int($0.ackFloor.streamSequence) }.max()
            }
            // A failing baseline is reported, not replaced by something slower to compare with.
            let raw: RawJetStreamBaseline.ConsumeResult?
            var rawCPU = 0.0
            do {
                (raw, rawCPU) = try await ProcessCPUTime.measure {
                    try await BlockingThread.run("almanac.bench.raw-fetch") { [url = server.url, batch = plan.fetchBatch] in
                        try RawJetStreamBaseline.fetchAndAck(url: url, stream: stream, count: count, batch: batch)
                    }
                }
                rawProgress.finish(done: raw?.messages)
            } catch {
                rawProgress.fail()
                raw = nil
                context.note("raw pull fetch+ack baseline failed (\(error)); the read ratio is not judged")
            }

            let store = EventStore(jetStream: jetStream, stream: stream, registry: BookingPlacedSample.registry)
            PeakMemory.reset()
            let progress = context.progress("\(mode.label) · EventStore.subscribe", total: count, unit: "events")
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuBefore = ProcessCPUTime.seconds()
            var read = 0
            var decoded = 0
            var failure: (any Error)?
            do {
                for try await batch in try await store.subscribe(filter: "read.>", mode: .untilCaughtUp, bufferSize: plan.subscribeBuffer) {
                    read += batch.count
                    // Touch every decoded body, so the work cannot be skipped.
                    decoded += batch.reduce(0) { $0 + ($1.event is BookingPlacedSample ? 1 : 0) }
                    progress.advance(by: batch.count)
                }
            } catch {
                failure = error
            }
            let seconds = secondsSince(start)
            let storeCPU = ProcessCPUTime.seconds() - cpuBefore
            progress.finish(done: read)
            let peakMB = PeakMemory.megabytes() ?? 0
            // A read that fails or comes up short scores zero: it did not deliver the stream.
            var throughput = Double(read) / seconds
            if let failure {
                throughput = 0
                context.note("\(mode.label): EventStore.subscribe failed after \(read) of \(count) events: \(failure)")
            } else if read != count || decoded != count {
                throughput = 0
                context.note("\(mode.label): EventStore.subscribe read \(read) events (\(decoded) decoded as booking.placed), expected \(count)")
            }
            var figures: [Figure] = [
                .compared("read throughput (decoded)", group: mode.label, value: throughput, unit: "events/s",
                          rawLimitName: "pull fetch+ack", rawLimit: raw?.perSecond, higherIsBetter: true, ratioGoal: Self.ratioGoal),
            ]
            if failure == nil, let raw, read > 0 {
                figures.append(.compared("client CPU per event read", group: mode.label, value: storeCPU / Double(read) * 1e6, unit: "µs",
                                         rawLimitName: "fetch+ack", rawLimit: rawCPU / Double(raw.messages) * 1e6,
                                         higherIsBetter: false, ratioGoal: nil))
            }
            figures.append(.absolute("peak memory, reading", group: mode.label, value: peakMB, unit: "MB", higherIsBetter: false, goal: nil))
            return figures
        }
    }

    /// Stores `count` booking events (real envelope headers and body) in a new `stream` on
    /// `subjects` (a `prefix.>` pattern), fast: raw async publishes. Loading is not measured;
    /// a load that stalls is started again on a fresh stream.
    static func load(_ count: Int, into stream: String, subjects pattern: String, plan: Plan, server: LocalNATSServer,
                     connection: NATSConnection, label: String, context: BenchContext) async throws {
        let prefix = pattern.hasSuffix(".>") ? String(pattern.dropLast(2)) : pattern
        let subjects = (0..<plan.subjects).map { "\(prefix).resource.r\($0)" }
        let body = try BookingPlacedSample.sample(7).encoded()
        let headers = envelopeHeaders()
        let attempts = 3
        for attempt in 1...attempts {
            try await connection.jetStream.createOrUpdateStream(bookingsLikeStream(stream, subjects: pattern))
            let progress = context.progress(label, total: count, unit: "events")
            do {
                try await BlockingThread.run("almanac.bench.fill") { [url = server.url] in
                    try RawJetStreamBaseline.fill(url: url, subjects: subjects, count: count, headers: headers, payload: body) { progress.set($0) }
                }
                progress.finish(done: count)
            } catch let error where attempt < attempts {
                // RawJetStreamBaseline.fill gives up when acks lag by more than libnats'
                // default stall wait (200 ms), which a busy shared machine can cause.
                progress.fail()
                context.note("loading \(stream) failed once (\(error)); loaded again into a fresh stream")
                try await connection.jetStream.deleteStream(stream)
                continue
            }
            let stored = try await connection.jetStream.streamInfo(stream).state.messages
            guard stored == UInt64(count) else { throw BenchError("loaded \(count) events but \(stream) holds \(stored)") }
            return
        }
    }

    /// A booking event's envelope headers as EventStore writes them. The loader sends the same
    /// headers with every message, so the event id travels under a name of the same length
    /// that the server does not deduplicate on (a repeated `Nats-Msg-Id` would be dropped).
    static func envelopeHeaders() -> NATSHeaders {
        var headers = NATSHeaders()
        headers["Almanac-Bench-Id"] = UUID().uuidString.lowercased()
        headers[EventEnvelope.Header.type] = BookingPlacedSample.wireName
        headers[EventEnvelope.Header.version] = String(BookingPlacedSample.version)
        headers[EventEnvelope.Header.correlationId] = UUID().uuidString.lowercased()
        headers[EventEnvelope.Header.actor] = "user-f3b1c2d4"
        headers[EventEnvelope.Header.occurredAt] = Timestamp.format(Date())
        return headers
    }
}
