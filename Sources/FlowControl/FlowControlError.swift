import Foundation

public enum FlowControlError: Error, Equatable, Sendable, CustomStringConvertible {
    case scheduleNotRemoved(subject: String, reason: String)
    case unknownFlow(String)
    case notManual(flowId: String, trigger: String)
    case invalidInput(field: String, reason: String)
    case runNotStarted(String)

    public var description: String {
        switch self {
        case .scheduleNotRemoved(let subject, let reason): "the schedule on \(subject) could not be removed: \(reason)"
        case .unknownFlow(let flowId): "there is no published flow '\(flowId)'"
        case .notManual(let flowId, let trigger): "flow '\(flowId)' starts on \(trigger), not by hand"
        case .invalidInput(let field, let reason): "input '\(field)' \(reason)"
        case .runNotStarted(let reason): "the run was not started: \(reason)"
        }
    }
}
