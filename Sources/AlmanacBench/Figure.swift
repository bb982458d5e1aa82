/// One measured number, with the raw limit it is compared with and the goal it is held to.
struct Figure: Codable, Sendable {
    /// What a goal threshold is compared with.
    enum GoalTarget: String, Codable, Sendable {
        /// The ratio to the raw limit must be at least `goal`.
        case ratio
        /// The value itself must be at least (higher is better) or below (lower is better) `goal`.
        case value
    }

    /// Which part of the run it belongs to, e.g. "sync_interval: always".
    var group: String
    var name: String
    var value: Double
    var unit: String
    var rawLimitName: String?
    var rawLimit: Double?
    /// The share of the raw limit achieved, so 1 means "as good as raw" for every kind of figure:
    /// value / raw when higher is better (throughput), raw / value when lower is better (latency).
    var ratio: Double?
    var goal: Double?
    var goalAppliesTo: GoalTarget?
    var higherIsBetter: Bool

    /// A figure next to its raw limit; `ratioGoal` is the least acceptable share of it. A nil
    /// `rawLimit` (the baseline failed) leaves the goal unjudged rather than guessed.
    static func compared(_ name: String, group: String, value: Double, unit: String, rawLimitName: String, rawLimit: Double?,
                         higherIsBetter: Bool, ratioGoal: Double?) -> Figure {
        var ratio: Double?
        if let rawLimit, value > 0, rawLimit > 0 { ratio = higherIsBetter ? value / rawLimit : rawLimit / value }
        return Figure(group: group, name: name, value: value, unit: unit, rawLimitName: rawLimitName, rawLimit: rawLimit,
                      ratio: ratio, goal: ratioGoal, goalAppliesTo: ratioGoal == nil ? nil : .ratio, higherIsBetter: higherIsBetter)
    }

    /// A figure with no raw counterpart (e.g. peak memory), held to an absolute goal if any.
    static func absolute(_ name: String, group: String, value: Double, unit: String, higherIsBetter: Bool, goal: Double?) -> Figure {
        Figure(group: group, name: name, value: value, unit: unit, rawLimitName: nil, rawLimit: nil, ratio: nil,
               goal: goal, goalAppliesTo: goal == nil ? nil : .value, higherIsBetter: higherIsBetter)
    }

    /// true = PASS, false = MISS, nil = no goal, or no raw limit to judge it by.
    var meetsGoal: Bool? {
        guard let goal, let goalAppliesTo else { return nil }
        switch goalAppliesTo {
        case .ratio: return ratio.map { $0 >= goal }
        case .value: return higherIsBetter ? value >= goal : value < goal
        }
    }

    /// "PASS", "MISS", "n/a" (a goal that could not be judged), "" (no goal).
    var resultText: String {
        guard goal != nil else { return "" }
        return meetsGoal.map { $0 ? "PASS" : "MISS" } ?? "n/a"
    }

    /// "ratio ≥ 0.80", "< 100 MB".
    var goalDescription: String? {
        guard let goal, let goalAppliesTo else { return nil }
        switch goalAppliesTo {
        case .ratio: return "ratio ≥ \(NumberText.fixed(goal, 2))"
        case .value: return "\(higherIsBetter ? "≥" : "<") \(NumberText.value(goal, unit: unit)) \(unit)"
        }
    }
}
