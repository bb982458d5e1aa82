import Flows

/// Why the designer refused or could not do something, in words an editor or operator acts on.
public enum FlowDesignerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The id cannot be a subject token (`flows.<id>`), so it never reaches NATS.
    case invalidFlowId(String, reason: String)
    /// The actor recorded with every change is missing.
    case missingActor
    /// The text is not a definition at all (YAML/JSON shape), before validation.
    case unreadable(FlowParseError)
    /// The lifecycle refused the change (invalid definition with every error, archived, ...).
    case rejected(flowId: String, FlowRejection)
    /// No event was ever stored for this flow.
    case unknownFlow(String)
    /// Others kept changing the flow while this change was decided again and again.
    case tooManyConflicts(flowId: String, attempts: Int)

    public var description: String {
        switch self {
        case .invalidFlowId(let id, let reason): "flow id '\(id)' \(reason)"
        case .missingActor: "who makes the change is missing (the editor's name or id)"
        case .unreadable(let error): "the definition cannot be read: \(error)"
        case .rejected(let flowId, let rejection): "flow '\(flowId)': \(rejection)"
        case .unknownFlow(let id): "there is no flow '\(id)'"
        case .tooManyConflicts(let flowId, let attempts):
            "flow '\(flowId)' kept changing under this change (\(attempts) attempts): try again"
        }
    }

    /// Every problem of the definition with its path, when that is why it was refused.
    public var validationErrors: [FlowValidationError] {
        switch self {
        case .rejected(_, .invalid(let errors)): errors
        case .unreadable(let error): [FlowValidationError(path: error.path.isEmpty ? "(document)" : error.path, message: error.message)]
        default: []
        }
    }
}
