import Foundation

public enum FlowCommand: Equatable, Sendable {
    /// Saves `definition` as the draft. `expectedRevision` (the revision the editor started from)
    /// refuses a save over someone else's newer draft; `nil` saves regardless.
    case saveDraft(FlowDefinition, expectedRevision: Int?, by: String)
    /// Publishes the current draft as the next version.
    case publish(by: String)
    case archive(by: String)
}

public enum FlowRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every problem of the definition, with its path.
    case invalid([FlowValidationError])
    case wrongFlow(expected: String, got: String)
    case unknownFlow
    case archived
    case draftChanged(expectedRevision: Int, currentRevision: Int)
    case noDraft
    case nothingToPublish(version: Int)

    public var description: String {
        switch self {
        case .invalid(let errors): "the definition has \(errors.count) problem\(errors.count == 1 ? "" : "s"):\n" + errors.map { "  \($0)" }.joined(separator: "\n")
        case .wrongFlow(let expected, let got): "the definition's id is '\(got)', but this is flow '\(expected)'"
        case .unknownFlow: "there is no such flow"
        case .archived: "the flow is archived"
        case .draftChanged(let expected, let current): "the draft changed since revision \(expected) (it is at revision \(current)): reload it first"
        case .noDraft: "the flow has no draft to publish"
        case .nothingToPublish(let version): "the draft is the same as version \(version)"
        }
    }
}

/// A flow definition as its events left it.
public struct FlowState: Equatable, Sendable {
    public var flowId: String?
    public var draft: FlowDefinition?
    public var draftRevision = 0
    /// Published versions by number (1, 2, ...): what runs are pinned to.
    public var versions: [Int: FlowDefinition] = [:]
    public var latestVersion: Int { versions.keys.max() ?? 0 }
    public var isArchived = false

    public init() {}

    public static func evolve(_ state: FlowState, _ event: FlowEvent) -> FlowState {
        var state = state
        switch event {
        case .created(let event): state.flowId = event.flowId
        case .draftSaved(let event):
            state.draft = event.definition
            state.draftRevision = event.revision
        case .published(let event): state.versions[event.version] = event.definition
        case .archived: state.isArchived = true
        }
        return state
    }

    public static func evolve(_ state: FlowState, with events: [FlowEvent]) -> FlowState { events.reduce(state, evolve) }
}

/// Decides the definition lifecycle. `flowId` is the subject's id (`flows.<flowId>`).
public enum FlowDecider {
    public static func decide(_ command: FlowCommand, _ state: FlowState, flowId: String) -> Result<[FlowEvent], FlowRejection> {
        if state.isArchived { return .failure(.archived) }
        switch command {
        case .saveDraft(let definition, let expectedRevision, let by):
            guard definition.id == flowId else { return .failure(.wrongFlow(expected: flowId, got: definition.id)) }
            if let expectedRevision, expectedRevision != state.draftRevision {
                return .failure(.draftChanged(expectedRevision: expectedRevision, currentRevision: state.draftRevision))
            }
            let errors = FlowValidator.validate(definition)
            guard errors.isEmpty else { return .failure(.invalid(errors)) }
            if definition == state.draft { return .success([]) }
            var events: [FlowEvent] = []
            if state.flowId == nil { events.append(.created(FlowCreated(flowId: flowId, name: definition.name, createdBy: by))) }
            events.append(.draftSaved(FlowDraftSaved(flowId: flowId, revision: state.draftRevision + 1, definition: definition, savedBy: by)))
            return .success(events)
        case .publish(let by):
            guard state.flowId != nil else { return .failure(.unknownFlow) }
            guard let draft = state.draft else { return .failure(.noDraft) }
            // Re-validated: the rules may have grown since the draft was saved.
            let errors = FlowValidator.validate(draft)
            guard errors.isEmpty else { return .failure(.invalid(errors)) }
            if let latest = state.versions[state.latestVersion], latest == draft { return .failure(.nothingToPublish(version: state.latestVersion)) }
            return .success([.published(FlowPublished(flowId: flowId, version: state.latestVersion + 1, definition: draft, publishedBy: by))])
        case .archive(let by):
            guard state.flowId != nil else { return .failure(.unknownFlow) }
            return .success([.archived(FlowArchived(flowId: flowId, archivedBy: by))])
        }
    }
}
