import Foundation

/// A length of time written the short way (`15m`, `24h`, `1h30m`, `2d`, `45s`) or in ISO 8601
/// (`PT15M`, `P1DT2H`, `P1W`). Whole seconds; days are 24 hours (a wait of `1d` across a
/// daylight-saving change is 24 real hours).
public struct FlowDuration: Equatable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public static func minutes(_ value: Int) -> FlowDuration { FlowDuration(seconds: value * 60) }
    public static func hours(_ value: Int) -> FlowDuration { FlowDuration(seconds: value * 3600) }

    public var timeInterval: TimeInterval { TimeInterval(seconds) }

    public static func < (lhs: FlowDuration, rhs: FlowDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// Short form, largest units first (`1h30m`); `0s` for zero.
    public var description: String {
        if seconds == 0 { return "0s" }
        var rest = abs(seconds)
        var text = seconds < 0 ? "-" : ""
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    /// Parses either form; the error says what is accepted.
    public init(parsing text: String) throws(FlowDurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw FlowDurationError(text: text, reason: "is empty") }
        let total = if trimmed.first == "P" { try Self.parseISO(trimmed, original: text) } else { try Self.parseShort(trimmed, original: text) }
        self.seconds = total
    }

    static let shortUnits: [Character: Int] = ["w": 604_800, "d": 86_400, "h": 3600, "m": 60, "s": 1]

    static func parseShort(_ text: String, original: String) throws(FlowDurationError) -> Int {
        var total = 0
        var digits = ""
        var lastUnitSize = Int.max
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let size = shortUnits[character] {
                guard let amount = Int(digits), !digits.isEmpty else {
                    throw FlowDurationError(text: original, reason: "needs a number before '\(character)'")
                }
                guard size < lastUnitSize else {
                    throw FlowDurationError(text: original, reason: "lists units out of order or twice (write e.g. 1h30m)")
                }
                let (product, overflow) = amount.multipliedReportingOverflow(by: size)
                guard !overflow, product <= maximumSeconds else { throw FlowDurationError(text: original, reason: "is too long") }
                total += product
                lastUnitSize = size
                digits = ""
            } else {
                throw FlowDurationError(text: original, reason: "has '\(character)' where a number or a unit (w, d, h, m, s) belongs")
            }
        }
        guard digits.isEmpty else { throw FlowDurationError(text: original, reason: "ends in a number without a unit (write e.g. 15m)") }
        guard total <= maximumSeconds else { throw FlowDurationError(text: original, reason: "is too long") }
        return total
    }

    static func parseISO(_ text: String, original: String) throws(FlowDurationError) -> Int {
        let dateUnits: [Character: Int] = ["W": 604_800, "D": 86_400]
        let timeUnits: [Character: Int] = ["H": 3600, "M": 60, "S": 1]
        var total = 0
        var digits = ""
        var inTime = false
        var sawUnit = false
        for character in text.dropFirst() {
            if character == "T" {
                guard !inTime, digits.isEmpty else { throw FlowDurationError(text: original, reason: "has a misplaced 'T'") }
                inTime = true
            } else if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let size = (inTime ? timeUnits : dateUnits)[character] {
                guard let amount = Int(digits) else { throw FlowDurationError(text: original, reason: "needs a number before '\(character)'") }
                let (product, overflow) = amount.multipliedReportingOverflow(by: size)
                guard !overflow, product <= maximumSeconds else { throw FlowDurationError(text: original, reason: "is too long") }
                total += product
                digits = ""
                sawUnit = true
            } else {
                throw FlowDurationError(text: original, reason: "is not ISO 8601 (write e.g. PT15M or P1DT2H; years and months are not fixed lengths)")
            }
        }
        guard sawUnit, digits.isEmpty else { throw FlowDurationError(text: original, reason: "is not ISO 8601 (write e.g. PT15M or P1DT2H)") }
        guard total <= maximumSeconds else { throw FlowDurationError(text: original, reason: "is too long") }
        return total
    }

    /// Ten years: longer waits are a mistake, and the bound keeps arithmetic far from overflow.
    public static let maximumSeconds = 10 * 366 * 86_400
}

/// A duration that could not be read.
public struct FlowDurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
    public var description: String { "'\(text)' is not a duration: it \(reason)" }
}
