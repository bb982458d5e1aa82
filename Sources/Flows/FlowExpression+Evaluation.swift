import Foundation

/// An expression that was read but cannot be evaluated over the data it got (a type mismatch,
/// such as adding a duration to text that is not a time).
public struct ExpressionEvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension FlowExpression {
    /// Evaluates over `data` (the run's trigger data and step outputs); a path that is not there
    /// is `null`. `now` is the moment given, so evaluation is repeatable.
    public func evaluate(over data: FlowValue, now: Date) throws(ExpressionEvaluationError) -> ExpressionValue {
        switch self {
        case .literal(let value):
            return value
        case .path(let path, _):
            return data.value(at: path).map(ExpressionValue.init) ?? .null
        case .now:
            return .time(now)
        case .list(let items):
            var values: [ExpressionValue] = []
            for item in items { values.append(try item.evaluate(over: data, now: now)) }
            return .list(values)
        case .not(let inner):
            return .bool(!(try inner.evaluate(over: data, now: now).requireBool(for: "not")))
        case .negate(let inner):
            switch try inner.evaluate(over: data, now: now) {
            case .number(let value): return .number(-value)
            case .duration(let value): return .duration(FlowDuration(seconds: -value.seconds))
            case let other: throw ExpressionEvaluationError(message: "cannot negate \(other.kindName)")
            }
        case .binary(.and, let left, let right):
            // Short-circuits, so `x != null and x > 3` is safe.
            guard try left.evaluate(over: data, now: now).requireBool(for: "and") else { return .bool(false) }
            return .bool(try right.evaluate(over: data, now: now).requireBool(for: "and"))
        case .binary(.or, let left, let right):
            if try left.evaluate(over: data, now: now).requireBool(for: "or") { return .bool(true) }
            return .bool(try right.evaluate(over: data, now: now).requireBool(for: "or"))
        case .binary(let op, let left, let right):
            return try Self.apply(op, try left.evaluate(over: data, now: now), try right.evaluate(over: data, now: now))
        }
    }

    /// Evaluates a condition: the result must be true or false.
    public func isTrue(over data: FlowValue, now: Date) throws(ExpressionEvaluationError) -> Bool {
        try evaluate(over: data, now: now).requireBool(for: "a condition")
    }

    static func apply(_ op: BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue) throws(ExpressionEvaluationError) -> ExpressionValue {
        switch op {
        case .equal: return .bool(left.isEqual(to: right))
        case .notEqual: return .bool(!left.isEqual(to: right))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = left.compare(to: right) else {
                throw ExpressionEvaluationError(message: "cannot compare \(left.kindName) with \(right.kindName) using \(op.rawValue)")
            }
            switch op {
            case .less: return .bool(order == .orderedAscending)
            case .lessOrEqual: return .bool(order != .orderedDescending)
            case .greater: return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case .in, .notIn:
            let found: Bool
            switch (left, right) {
            case (_, .list(let items)): found = items.contains { left.isEqual(to: $0) }
            case (.string(let needle), .string(let haystack)): found = haystack.contains(needle)
            case (.string(let key), .object(let fields)): found = fields[key] != nil
            case (_, .null): found = false
            default: throw ExpressionEvaluationError(message: "'in' needs a list, text or object on its right, not \(right.kindName)")
            }
            return .bool(op == .in ? found : !found)
        case .plus:
            switch (left, right) {
            case (.number(let a), .number(let b)): return .number(a + b)
            case (.string(let a), .string(let b)) where FlowTime.parse(a) == nil || FlowTime.parse(b) == nil: return .string(a + b)
            case (.duration(let a), .duration(let b)): return .duration(FlowDuration(seconds: a.seconds + b.seconds))
            case (.duration(let d), let other), (let other, .duration(let d)):
                guard let time = other.asTime else { throw ExpressionEvaluationError(message: "cannot add a duration to \(other.kindName)") }
                return .time(time.addingTimeInterval(d.timeInterval))
            default: throw ExpressionEvaluationError(message: "cannot add \(right.kindName) to \(left.kindName)")
            }
        case .minus:
            switch (left, right) {
            case (.number(let a), .number(let b)): return .number(a - b)
            case (.duration(let a), .duration(let b)): return .duration(FlowDuration(seconds: a.seconds - b.seconds))
            case (let other, .duration(let d)):
                guard let time = other.asTime else { throw ExpressionEvaluationError(message: "cannot subtract a duration from \(other.kindName)") }
                return .time(time.addingTimeInterval(-d.timeInterval))
            default:
                if let a = left.asTime, let b = right.asTime {
                    return .duration(FlowDuration(seconds: Int(a.timeIntervalSince(b).rounded())))
                }
                throw ExpressionEvaluationError(message: "cannot subtract \(right.kindName) from \(left.kindName)")
            }
        case .and, .or:
            preconditionFailure("handled with short-circuit in evaluate")
        }
    }
}

extension ExpressionValue {
    func requireBool(for context: String) throws(ExpressionEvaluationError) -> Bool {
        guard case .bool(let value) = self else {
            throw ExpressionEvaluationError(message: "\(context) needs true or false, got \(kindName) (\(self))")
        }
        return value
    }

    /// Equality across the kinds that mean the same thing: a time and its RFC 3339 text.
    func isEqual(to other: ExpressionValue) -> Bool {
        switch (self, other) {
        case (.time, _), (_, .time):
            guard let a = asTime, let b = other.asTime else { return false }
            return a == b
        case (.string(let a), .string(let b)) where a != b:
            // The same instant written with different offsets is the same time.
            guard let first = FlowTime.parse(a), let second = FlowTime.parse(b) else { return false }
            return first == second
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        default:
            return self == other
        }
    }

    func compare(to other: ExpressionValue) -> ComparisonResult? {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame }
        switch (self, other) {
        case (.number(let a), .number(let b)): return order(a, b)
        case (.duration(let a), .duration(let b)): return order(a, b)
        case (.time, _), (_, .time):
            guard let a = asTime, let b = other.asTime else { return nil }
            return order(a, b)
        case (.string(let a), .string(let b)):
            if let first = FlowTime.parse(a), let second = FlowTime.parse(b) { return order(first, second) }
            return order(a, b)
        default: return nil
        }
    }
}
