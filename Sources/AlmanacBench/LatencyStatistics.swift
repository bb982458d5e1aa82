/// Percentiles of a set of latencies (seconds in, milliseconds out), nearest-rank.
struct LatencyStatistics: Sendable {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(seconds: [Double]) {
        let sorted = seconds.sorted()
        count = sorted.count
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)] * 1000
        }
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        max = (sorted.last ?? 0) * 1000
    }
}
