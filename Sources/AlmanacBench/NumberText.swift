/// Number formatting for the table, independent of the machine's locale so results compare.
enum NumberText {
    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// 3.14159, 2 → "3.14".
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard decimals > 0 else { return sign + grouped(whole) }
        let fractionText = String(fraction)
        return sign + grouped(whole) + "." + String(repeating: "0", count: decimals - fractionText.count) + fractionText
    }

    /// A value in its unit: rates as whole numbers, milliseconds and megabytes with decimals.
    static func value(_ value: Double, unit: String) -> String {
        switch unit {
        case "ms", "µs": fixed(value, value < 10 ? 3 : 1)
        case "MB": fixed(value, 1)
        default: value >= 100 ? grouped(Int(value.rounded())) : fixed(value, 2)
        }
    }

    /// A ratio with two decimals, rounded down, so a figure just under its goal never prints
    /// as the goal (0.797 → "0.79", not "0.80").
    static func ratio(_ value: Double) -> String {
        fixed((value * 100).rounded(.down) / 100, 2)
    }

    /// Seconds as "42 s" or "3 min 5 s".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole) s" : "\(whole / 60) min \(whole % 60) s"
    }
}
