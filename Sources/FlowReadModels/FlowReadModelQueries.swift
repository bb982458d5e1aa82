import Flows
import Foundation
import PostgresClient

/// Queries over the flows read model, for the studio's lists. Every value is a parameter; the
/// schema is the projection's (swapped in place by a rebuild).
public struct FlowReadModelQueries: Sendable {
    let pool: PostgresPool
    let schema: String

    public init(pool: PostgresPool, schema: String = FlowReadModel.name) {
        self.pool = pool
        self.schema = schema
    }

    public struct Flow: Sendable, Equatable {
        public let flowId: String, name: String, status: String
        public let latestVersion: Int, draftRevision: Int
        public let updatedAt: Date, updatedBy: String
    }

    public struct Version: Sendable, Equatable {
        public let flowId: String, version: Int, name: String
        public let definition: FlowDefinition
        public let publishedAt: Date, publishedBy: String
    }

    /// Every flow, optionally of one status (`draft`, `published`, `archived`), by name.
    public func flows(status: String? = nil) async throws -> [Flow] {
        try await pool.query("""
            select flow_id, name, status, latest_version, draft_revision, updated_at, updated_by from \(schema).flows
             where $1::text is null or status = $1 order by name, flow_id
            """, [status]).rows.map {
            Flow(flowId: try $0.decode(String.self, at: 0), name: try $0.decode(String.self, at: 1), status: try $0.decode(String.self, at: 2),
                 latestVersion: try $0.decode(Int.self, at: 3), draftRevision: try $0.decode(Int.self, at: 4),
                 updatedAt: try $0.decode(Date.self, at: 5), updatedBy: try $0.decode(String.self, at: 6))
        }
    }

    /// The published versions of a flow, oldest first.
    public func versions(of flowId: String) async throws -> [Version] {
        try await pool.query("""
            select flow_id, version, name, definition, published_at, published_by from \(schema).flow_versions
             where flow_id = $1 order by version
            """, [flowId]).rows.map {
            Version(flowId: try $0.decode(String.self, at: 0), version: try $0.decode(Int.self, at: 1), name: try $0.decode(String.self, at: 2),
                    definition: try $0.decode(PostgresJSON.self, at: 3).decode(as: FlowDefinition.self),
                    publishedAt: try $0.decode(Date.self, at: 4), publishedBy: try $0.decode(String.self, at: 5))
        }
    }
}
