import EventStore
import Foundation
import NATSClient

/// Where the `eventstore` figures lose against raw libnats, layer by layer, on a server with
/// the default sync interval (with `sync_interval: always` the fsync hides the client's share):
///
/// append: raw `js_Publish` → `JetStream.publish` (the Swift request path) → + envelope headers
///         and message id → `EventStore.append` (+ body encoding, header building, checks);
/// read:   raw pull fetch + ack → `OrderedConsumer` (delivery, no decoding) → `EventStore.subscribe`;
/// then the CPU of each envelope step on one thread. Diagnostic: ratios, no goals. Layers run
/// interleaved in rounds and report their median, so drift on a shared machine hits all alike.
struct EventStoreLayersBenchmark: Benchmark {
    let name = "eventstore-layers"
    let summary = "diagnostic: eventstore append and read, layer by layer from raw libnats up, and CPU per envelope step"

    static let rounds = 3

    func run(_ context: BenchContext) async throws -> [Figure] {
        let plan = EventStoreBenchmark.Plan(quick: context.quick)
        context.record("publishers", plan.publishers)
        context.record("subjects", plan.subjects)
        context.record("rounds (median reported)", Self.rounds)
        context.note("layers run on a server with the default sync interval; ratios are to the raw layer of the same rounds")
        var figures = try await withNATSServer(in: try context.folder("append"), syncMode: .serverDefault) { server, connection in
            try await appendLayers(plan: plan, server: server, connection: connection, context: context)
        }
        figures += try await readLayers(events: plan.storedEvents / 4, plan: plan, context: context)
        figures += try steps(iterations: context.quick ? 5_000 : 50_000, context: context)
        return figures
    }

    /// The headers `EventEnvelope` writes for a booking event, built the same way (one
    /// subscript set per header), less the message id that `PublishOptions` adds.
    static func envelopeHeaders(occurredAt: Date) -> NATSHeaders {
        var headers = NATSHeaders()
        headers[EventEnvelope.Header.type] = BookingPlacedSample.wireName
        headers[EventEnvelope.Header.version] = String(BookingPlacedSample.version)
        headers[EventEnvelope.Header.correlationId] = "9b2f3c1e-0d4a-4f6b-8e7c-5a1b2c3d4e5f"
        headers[EventEnvelope.Header.actor] = "user-f3b1c2d4"
        headers[EventEnvelope.Header.occurredAt] = Timestamp.format(occurredAt)
        return headers
    }
}
