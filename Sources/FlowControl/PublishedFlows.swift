import AlmanacEvents
import EventStore
import Flows
import Foundation

/// The published flows index: every flow's published versions (runs are pinned to the one that
/// started them) and which flows are live (latest version of a flow that is not archived).
/// Fed from `FLOWS` in stream order, from the start at boot and then live.
public actor PublishedFlows {
    private var states: [String: FlowState] = [:]
    /// Stream sequence of the last event applied.
    public private(set) var position: UInt64 = 0

    public init() {}

    /// A published flow version.
    public struct Published: Equatable, Sendable {
        public let version: Int
        public let definition: FlowDefinition
    }

    public func apply(_ recorded: RecordedEvent) {
        position = max(position, recorded.sequence)
        guard let event = FlowEvent(payload: recorded.event) else { return }
        let flowId = String(recorded.subject.dropFirst("flows.".count))
        states[flowId] = FlowState.evolve(states[flowId] ?? FlowState(), event)
    }

    /// The latest version of every live flow (archived flows start nothing new).
    public func live() -> [Published] {
        states.values.compactMap { state in
            guard !state.isArchived, let definition = state.versions[state.latestVersion] else { return nil }
            return Published(version: state.latestVersion, definition: definition)
        }.sorted { $0.definition.id < $1.definition.id }
    }

    public func live(_ flowId: String) -> Published? {
        guard let state = states[flowId], !state.isArchived, let definition = state.versions[state.latestVersion] else { return nil }
        return Published(version: state.latestVersion, definition: definition)
    }

    /// A version as published, archived or not (a running run finishes on its version).
    public func version(_ version: Int, of flowId: String) -> FlowDefinition? {
        states[flowId]?.versions[version]
    }

    /// Every published version of a flow, newest first.
    public func versions(of flowId: String) -> [Published] {
        guard let state = states[flowId] else { return [] }
        return state.versions.sorted { $0.key > $1.key }.map { Published(version: $0.key, definition: $0.value) }
    }
}

extension PublishedFlows {
    /// Every flow with at least one published version, archived or not.
    public func allFlowIds() -> [String] {
        states.compactMap { $0.value.versions.isEmpty ? nil : $0.key }.sorted()
    }
}
