extension EventStoreLayersBenchmark {
    /// Per layer: the median of its rounds' rates and its CPU per operation over all rounds.
    struct LayerResults {
        private(set) var rates: [String: [Double]] = [:]
        private(set) var cpu: [String: (seconds: Double, operations: Int)] = [:]

        mutating func add(_ layer: String, operations: Int, seconds: Double, cpuSeconds: Double) {
            rates[layer, default: []].append(Double(operations) / seconds)
            let sum = cpu[layer] ?? (0, 0)
            cpu[layer] = (sum.seconds + cpuSeconds, sum.operations + operations)
        }

        func median(_ layer: String) -> Double? {
            guard let values = rates[layer]?.sorted(), !values.isEmpty else { return nil }
            return values[values.count / 2]
        }

        func cpuMicroseconds(_ layer: String) -> Double? {
            guard let sum = cpu[layer], sum.operations > 0 else { return nil }
            return sum.seconds / Double(sum.operations) * 1e6
        }

        /// Throughput against `raw` and CPU per operation, for each of `layers`.
        func figures(group: String, unit: String, raw: String, rawName: String, layers: [String]) -> [Figure] {
            layers.flatMap { layer -> [Figure] in
                guard let rate = median(layer) else { return [] }
                var figures: [Figure] = []
                if layer == raw {
                    figures.append(.absolute("\(layer): throughput", group: group, value: rate, unit: unit, higherIsBetter: true, goal: nil))
                } else {
                    figures.append(.compared("\(layer): throughput", group: group, value: rate, unit: unit, rawLimitName: rawName,
                                             rawLimit: median(raw), higherIsBetter: true, ratioGoal: nil))
                }
                if let micro = cpuMicroseconds(layer) {
                    figures.append(.absolute("\(layer): client CPU per op", group: group, value: micro, unit: "µs", higherIsBetter: false, goal: nil))
                }
                return figures
            }
        }
    }
}
