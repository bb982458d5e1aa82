import Flows
import Foundation

extension FlowDesigner {
    /// What installing the starter flows did, flow by flow.
    public struct StarterFlowInstallation: Equatable, Sendable {
        public let flowId: String
        /// The published version the flow is at now.
        public let version: Int
        /// False when it was published before (nothing appended).
        public let installed: Bool
    }

    /// Saves and publishes every definition (`*.yaml`, `*.yml`, `*.json`) in `directory` that is
    /// not yet published — what a new installation starts with (`deploy/flows/`). Flows already
    /// published, even edited since, are left alone, so a restart changes nothing.
    public func installStarterFlows(from directory: URL, by actor: String = "almanac") async throws -> [StarterFlowInstallation] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var results: [StarterFlowInstallation] = []
        for file in files {
            let definition = try Self.definition(parsing: String(decoding: try Data(contentsOf: file), as: UTF8.self))
            do {
                let existing = try await show(definition.id)
                if existing.latestVersion > 0 || existing.status == .archived {
                    results.append(StarterFlowInstallation(flowId: definition.id, version: existing.latestVersion, installed: false))
                    continue
                }
            } catch FlowDesignerError.unknownFlow {}
            try await saveDraft(definition, by: actor)
            let published = try await publish(definition.id, by: actor)
            results.append(StarterFlowInstallation(flowId: definition.id, version: published.publishedVersion ?? 0, installed: true))
        }
        return results
    }
}
