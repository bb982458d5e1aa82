import Foundation
import HTTPClient
import Synchronization

/// Per-request layers of the placed bookings, from booking-web's `Server-Timing` answer
/// header (`auth`, `cmd`, `ryw`, `app`, milliseconds) and the client's own clock: `outside
/// app` is the client's latency minus `app` (libcurl, loopback TCP, Hummingbird's parsing and
/// writing, scheduling). Only the measured HTTP rounds are kept, so the layers add up to the
/// figures the goals are judged on.
final class PlaceTimings: Sendable {
    static let layers = ["auth", "cmd", "ryw", "app", "outside app"]
    private let samples = Mutex<[String: [Double]]>([:])
    private let recording = Atomic<Bool>(false)

    /// Keep what `record` is given from now on (true) or drop it (false, e.g. in a warm-up).
    func record(_ enabled: Bool) { recording.store(enabled, ordering: .relaxed) }

    /// The layers of one answer, `clientSeconds` its latency as the client saw it.
    func record(_ answer: HTTPResponse, clientSeconds: Double) {
        guard recording.load(ordering: .relaxed) else { return }
        var layers: [String: Double] = [:]
        for value in answer.headers.values(for: "Server-Timing") {
            for entry in value.split(separator: ",") {
                let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let metric = parts.first, let duration = parts.dropFirst().first(where: { $0.hasPrefix("dur=") }),
                      let milliseconds = Double(duration.dropFirst(4)) else { continue }
                layers[metric] = milliseconds / 1000
            }
        }
        if let app = layers["app"] { layers["outside app"] = max(0, clientSeconds - app) }
        samples.withLock { samples in
            for (metric, seconds) in layers { samples[metric, default: []].append(seconds) }
        }
    }

    /// Mean, p50 and p99 of each layer, in milliseconds (no goals: a diagnosis).
    func figures(group: String) -> [Figure] {
        let samples = self.samples.withLock { $0 }
        return Self.layers.flatMap { layer -> [Figure] in
            guard let values = samples[layer], !values.isEmpty else { return [] }
            let latency = LatencyStatistics(seconds: values)
            let mean = values.reduce(0, +) / Double(values.count) * 1000
            return [
                .absolute("\(layer): mean", group: group, value: mean, unit: "ms", higherIsBetter: false, goal: nil),
                .absolute("\(layer): p50", group: group, value: latency.p50, unit: "ms", higherIsBetter: false, goal: nil),
                .absolute("\(layer): p99", group: group, value: latency.p99, unit: "ms", higherIsBetter: false, goal: nil),
            ]
        }
    }
}
