import AlmanacEvents
import EventStore
import Flows
import Foundation
import PostgresClient
import Projections

/// The flows read model: every flow with its status, latest version and draft revision, and
/// every published version's definition — what the studio lists. Built from `FLOWS`
/// (`flows.>`); rebuilt with `almanac replay flows`. Decisions never read it.
public enum FlowReadModel {
    public static let name = "flows"
    public static let tables = ["flows", "flow_versions"]

    public static func projection() throws -> Projection {
        try Projection(
            name: name, version: 1, stream: AlmanacStreams.flows, filter: "flows.>", registry: AlmanacEventCatalog.registry,
            tables: tables, createTables: createTables, apply: { events, target in
                for event in events { try await apply(event, to: target) }
            })
    }

    static func createTables(_ schema: String) -> String {
        """
        create table \(schema).flows (
            flow_id text primary key, name text not null,
            status text not null check (status in ('draft', 'published', 'archived')),
            latest_version int not null default 0, draft_revision int not null default 0, draft jsonb,
            created_at timestamptz not null, created_by text not null,
            updated_at timestamptz not null, updated_by text not null, last_sequence bigint not null);
        create index on \(schema).flows (status, name);
        create table \(schema).flow_versions (
            flow_id text not null, version int not null, name text not null, definition jsonb not null,
            published_at timestamptz not null, published_by text not null,
            primary key (flow_id, version));
        """
    }

    static func json(_ value: some Encodable) throws -> PostgresJSON {
        try PostgresJSON(encoding: value, encoder: EventCoding.encoder)
    }

    static func apply(_ recorded: RecordedEvent, to target: ProjectionTarget) async throws {
        guard let event = FlowEvent(payload: recorded.event) else { return }
        let db = target.connection
        let flows = try target.table("flows")
        let at = recorded.envelope.occurredAt
        let sequence = Int64(recorded.sequence)
        switch event {
        case .created(let e):
            try await db.execute("""
                insert into \(flows) (flow_id, name, status, created_at, created_by, updated_at, updated_by, last_sequence)
                values ($1, $2, 'draft', $3, $4, $3, $4, $5) on conflict (flow_id) do nothing
                """, [e.flowId, e.name, at, e.createdBy, sequence])
        case .draftSaved(let e):
            try await db.execute("""
                update \(flows) set name = $2, draft_revision = $3, draft = $4, updated_at = $5, updated_by = $6, last_sequence = $7
                 where flow_id = $1
                """, [e.flowId, e.definition.name, e.revision, try json(e.definition), at, e.savedBy, sequence])
        case .published(let e):
            try await db.execute("""
                insert into \(try target.table("flow_versions")) (flow_id, version, name, definition, published_at, published_by)
                values ($1, $2, $3, $4, $5, $6) on conflict (flow_id, version) do nothing
                """, [e.flowId, e.version, e.definition.name, try json(e.definition), at, e.publishedBy])
            try await db.execute("""
                update \(flows) set latest_version = greatest(latest_version, $2),
                    status = case when status = 'archived' then status else 'published' end,
                    updated_at = $3, updated_by = $4, last_sequence = $5
                 where flow_id = $1
                """, [e.flowId, e.version, at, e.publishedBy, sequence])
        case .archived(let e):
            try await db.execute("""
                update \(flows) set status = 'archived', updated_at = $2, updated_by = $3, last_sequence = $4 where flow_id = $1
                """, [e.flowId, at, e.archivedBy, sequence])
        }
    }
}
