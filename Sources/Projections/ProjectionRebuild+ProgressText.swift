import Foundation

extension ProjectionRebuild.Progress {
    /// One line for stderr, e.g. `[##########----------]  52%  523,000/1,000,000  84,210 events/s  ETA 6s`,
    /// rewritten in place with a leading carriage return by the CLI.
    public var line: String {
        let fraction = targetSequence == 0 ? 1 : min(1, Double(sequence) / Double(targetSequence))
        let filled = Int((fraction * 20).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
        let percent = String(Int((fraction * 100).rounded(.down))).leftPadded(to: 3)
        let eta = remainingSeconds.map { Self.duration($0) } ?? "?"
        return "[\(bar)] \(percent)%  #\(Self.grouped(sequence))/\(Self.grouped(targetSequence))  "
            + "\(Self.grouped(UInt64(eventsPerSecond.rounded()))) events/s  ETA \(eta)"
    }

    static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(total % 60).leftPadded(to: 2, with: "0"))s" }
        return "\(total / 3600)h\(String(total % 3600 / 60).leftPadded(to: 2, with: "0"))m"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
