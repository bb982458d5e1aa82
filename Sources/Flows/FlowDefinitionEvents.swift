import Foundation

// The flow definition's own lifecycle on `flows.<flowId>`: created with its first draft, drafts
// saved, versions published (immutable, numbered from 1), archived. Wire names are `flow.*`.

/// `flow.created`
public struct FlowCreated: Codable, Equatable, Sendable {
    public var flowId: String
    public var name: String
    public var createdBy: String

    public init(flowId: String, name: String, createdBy: String) {
        self.flowId = flowId
        self.name = name
        self.createdBy = createdBy
    }
}

/// `flow.draft_saved`: the whole definition, valid (drafts are validated too).
public struct FlowDraftSaved: Codable, Equatable, Sendable {
    public var flowId: String
    /// Counts saves from 1, so an editor can save "over revision N" without losing someone's work.
    public var revision: Int
    public var definition: FlowDefinition
    public var savedBy: String

    public init(flowId: String, revision: Int, definition: FlowDefinition, savedBy: String) {
        self.flowId = flowId
        self.revision = revision
        self.definition = definition
        self.savedBy = savedBy
    }
}

/// `flow.published`: version `version` is this definition, for good.
public struct FlowPublished: Codable, Equatable, Sendable {
    public var flowId: String
    public var version: Int
    public var definition: FlowDefinition
    public var publishedBy: String

    public init(flowId: String, version: Int, definition: FlowDefinition, publishedBy: String) {
        self.flowId = flowId
        self.version = version
        self.definition = definition
        self.publishedBy = publishedBy
    }
}

/// `flow.archived`: no new runs start; running ones finish on their version.
public struct FlowArchived: Codable, Equatable, Sendable {
    public var flowId: String
    public var archivedBy: String

    public init(flowId: String, archivedBy: String) {
        self.flowId = flowId
        self.archivedBy = archivedBy
    }
}

public enum FlowEvent: Equatable, Sendable {
    case created(FlowCreated)
    case draftSaved(FlowDraftSaved)
    case published(FlowPublished)
    case archived(FlowArchived)

    public var payload: any Codable & Sendable {
        switch self {
        case .created(let event): event
        case .draftSaved(let event): event
        case .published(let event): event
        case .archived(let event): event
        }
    }

    public init?(payload: any Sendable) {
        switch payload {
        case let event as FlowCreated: self = .created(event)
        case let event as FlowDraftSaved: self = .draftSaved(event)
        case let event as FlowPublished: self = .published(event)
        case let event as FlowArchived: self = .archived(event)
        default: return nil
        }
    }
}
