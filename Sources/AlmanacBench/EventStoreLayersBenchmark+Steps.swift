import EventStore
import Foundation
import NATSClient

extension EventStoreLayersBenchmark {
    /// CPU per call of each step an append or a read does besides I/O, on one thread.
    func steps(iterations: Int, context: BenchContext) throws -> [Figure] {
        context.record("single-thread iterations per step", iterations)
        let group = "one thread, CPU per call"
        let sample = BookingPlacedSample.sample(3)
        let now = Date()
        let stamp = Timestamp.format(now)
        let body = try sample.encoded()
        let registry = BookingPlacedSample.registry
        var headers = Self.envelopeHeaders(occurredAt: now)
        headers[EventEnvelope.Header.eventId] = "cmd-3-17/0"
        let stored = StreamMessage(subject: "read.resource.r3", headers: headers, payload: body, sequence: 17, time: now, pending: 5)
        let pubAck = Array(#"{"stream":"BOOKINGS","seq":1234567}"#.utf8)
        let decoder = JSONDecoder()
        struct ErrorEnvelope: Decodable {
            struct Body: Decodable { let code: Int; let description: String? }
            let error: Body?
        }

        var sink = 0
        func time(_ name: String, _ body: () throws -> Int) rethrows -> Figure {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { sink &+= try body() }
            let micro = secondsSince(start) / Double(iterations) * 1e6
            return .absolute(name, group: group, value: micro, unit: "µs", higherIsBetter: false, goal: nil)
        }
        let figures = [
            try time("encode body (EventCoding.encoder)") { try EventCoding.encoder.encode(sample).count },
            time("Timestamp.format(Date())") { Timestamp.format(Date()).utf8.count },
            time("envelope headers (NATSHeaders)") { Self.envelopeHeaders(occurredAt: now).fields.count },
            time("Timestamp.parse") { Timestamp.parse(stamp) == nil ? 0 : 1 },
            try time("decode PubAck reply (×2 per publish)") {
                // JetStream decodes every reply twice: as an error envelope, then as a PubAck.
                _ = try? decoder.decode(ErrorEnvelope.self, from: Data(pubAck))
                return Int(try decoder.decode(PubAck.self, from: Data(pubAck)).seq)
            },
            try time("decode stored event (registry.decode)") { Int(try registry.decode(stored).sequence) },
            // ... of which: the body, and the seven header lookups the envelope does.
            try time("  of which: decode body (EventCoding.decoder)") {
                try EventCoding.decoder.decode(BookingPlacedSample.self, from: Data(body)).attendees
            },
            time("  of which: 7 header lookups (NATSHeaders)") {
                [EventEnvelope.Header.eventId, EventEnvelope.Header.type, EventEnvelope.Header.version, EventEnvelope.Header.correlationId,
                 EventEnvelope.Header.causationId, EventEnvelope.Header.actor, EventEnvelope.Header.occurredAt]
                    .reduce(0) { $0 + (headers[$1]?.utf8.count ?? 0) }
            },
        ]
        // Using the results keeps the optimiser from dropping the loops.
        context.record("single-thread checksum", sink)
        return figures
    }
}
