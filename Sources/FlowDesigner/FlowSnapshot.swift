import Flows
import Foundation

/// One published version: immutable, what runs are pinned to.
public struct FlowVersion: Equatable, Sendable {
    public let version: Int
    public let definition: FlowDefinition
    public let publishedAt: Date
    public let publishedBy: String
}

/// Where a flow stands in its lifecycle, as the studio shows it.
public enum FlowStatus: String, Equatable, Sendable {
    /// Saved, never published.
    case draft
    /// At least one version is published and the flow is not archived.
    case published
    case archived
}

/// A flow as its events on `flows.<flowId>` left it: the folded state plus who changed it when.
public struct FlowSnapshot: Equatable, Sendable {
    public let flowId: String
    public let state: FlowState
    /// Every published version, oldest first.
    public let versions: [FlowVersion]
    public let updatedAt: Date
    public let updatedBy: String?
    /// The stream sequence of the subject's last event: the expectation of the next append.
    public let lastSequence: UInt64

    public var name: String { state.draft?.name ?? versions.last?.definition.name ?? flowId }
    public var draft: FlowDefinition? { state.draft }
    public var draftRevision: Int { state.draftRevision }
    public var latestVersion: Int { state.latestVersion }
    public var status: FlowStatus {
        if state.isArchived { return .archived }
        return versions.isEmpty ? .draft : .published
    }
    /// The draft differs from the latest version (or nothing is published yet).
    public var hasUnpublishedChanges: Bool { state.draft != nil && state.draft != versions.last?.definition }
}
