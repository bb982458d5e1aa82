extension Figure {
    enum CodingKeys: String, CodingKey {
        case group, name, value, unit, rawLimitName, rawLimit, ratio, goal, goalAppliesTo, higherIsBetter
        /// Written for readers of the JSON (the plotter, people); ignored when decoding.
        case result, goalDescription
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        group = try container.decode(String.self, forKey: .group)
        name = try container.decode(String.self, forKey: .name)
        value = try container.decode(Double.self, forKey: .value)
        unit = try container.decode(String.self, forKey: .unit)
        rawLimitName = try container.decodeIfPresent(String.self, forKey: .rawLimitName)
        rawLimit = try container.decodeIfPresent(Double.self, forKey: .rawLimit)
        ratio = try container.decodeIfPresent(Double.self, forKey: .ratio)
        goal = try container.decodeIfPresent(Double.self, forKey: .goal)
        goalAppliesTo = try container.decodeIfPresent(GoalTarget.self, forKey: .goalAppliesTo)
        higherIsBetter = try container.decode(Bool.self, forKey: .higherIsBetter)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(group, forKey: .group)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encodeIfPresent(rawLimitName, forKey: .rawLimitName)
        try container.encodeIfPresent(rawLimit, forKey: .rawLimit)
        try container.encodeIfPresent(ratio, forKey: .ratio)
        try container.encodeIfPresent(goal, forKey: .goal)
        try container.encodeIfPresent(goalAppliesTo, forKey: .goalAppliesTo)
        try container.encode(higherIsBetter, forKey: .higherIsBetter)
        if goal != nil { try container.encode(resultText, forKey: .result) }
        try container.encodeIfPresent(goalDescription, forKey: .goalDescription)
    }
}
