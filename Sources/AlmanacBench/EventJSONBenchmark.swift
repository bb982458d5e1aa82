import EventStore
import Foundation

/// CPU per call of encoding and decoding a `booking.placed` body (12 fields, ~330 bytes) with
/// the EventJSON coders, against Foundation's `JSONEncoder`/`JSONDecoder` configured as
/// `EventCoding` configures them. No servers. Both sides take turns in rounds and report their
/// median, so load from elsewhere on a shared machine falls on both. Goal: at least 3× faster.
struct EventJSONBenchmark: Benchmark {
    let name = "eventjson"
    let summary = "CPU per booking.placed body: EventJSON encoder/decoder vs Foundation's (as EventCoding configures it)"

    static let rounds = 5

    func run(_ context: BenchContext) async throws -> [Figure] {
        let iterations = context.quick ? 20_000 : 200_000
        context.record("iterations per side and round", iterations)
        context.record("rounds (median reported)", Self.rounds)
        let sample = BookingPlacedSample.sample(3)
        let body = try sample.encoded()
        let data = Data(body)
        context.record("body bytes", body.count)
        let ourEncoder = EventJSONEncoder()
        let ourDecoder = EventJSONDecoder()
        guard try ourEncoder.encode(sample) == body else { throw BenchError("EventJSONEncoder's bytes differ from EventCoding.encoder's") }

        var sink = 0
        func microseconds(_ body: () throws -> Int) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { sink &+= try body() }
            return secondsSince(start) / Double(iterations) * 1e6
        }
        var timings: [String: [Double]] = [:]
        for _ in 0..<Self.rounds {
            timings["encode Foundation", default: []].append(try microseconds { try EventCoding.encoder.encode(sample).count })
            timings["encode EventJSON", default: []].append(try microseconds { try ourEncoder.encode(sample).count })
            timings["decode Foundation", default: []].append(try microseconds {
                try EventCoding.decoder.decode(BookingPlacedSample.self, from: data).attendees
            })
            timings["decode EventJSON", default: []].append(try microseconds {
                try ourDecoder.decode(BookingPlacedSample.self, from: body).attendees
            })
        }
        context.record("checksum", sink)
        func median(_ name: String) -> Double { timings[name, default: [0]].sorted()[Self.rounds / 2] }
        let group = "one thread, CPU per body"
        return ["encode", "decode"].map { step in
            .compared("\(step) booking.placed body (EventJSON)", group: group, value: median("\(step) EventJSON"), unit: "µs",
                      rawLimitName: "Foundation (EventCoding)", rawLimit: median("\(step) Foundation"), higherIsBetter: false, ratioGoal: 3)
        }
    }
}
