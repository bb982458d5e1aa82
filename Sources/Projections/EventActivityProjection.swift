import EventStore
import PostgresClient

/// A projection that works for any stream without knowing its events: per subject and event
/// type, how many events, the last sequence and when the last one was stored. Operators use it
/// to see activity per aggregate; it also exercises the engine end to end in the CLI tests
/// until the booking read models exist.
public enum EventActivityProjection {
    /// Named `activity_<stream in lowercase>`, e.g. `activity_bookings`.
    public static func make(stream: String, filter: String = ">", version: Int = 1) throws -> Projection {
        try Projection(
            name: "activity_" + stream.lowercased(), version: version, stream: stream, filter: filter,
            // Empty: bodies are not decoded (every type reads as `UnknownEvent`); the envelope is checked.
            registry: EventTypeRegistry(), tables: ["event_activity"],
            createTables: { schema in
                """
                create table \(schema).event_activity (
                    subject text not null, event_type text not null, events bigint not null,
                    last_sequence bigint not null, last_stored_at timestamptz not null,
                    primary key (subject, event_type));
                """
            },
            apply: { events, target in
                struct Key: Hashable { let subject: String; let type: String }
                var rows: [Key: (events: Int64, last: Int64, at: RecordedEvent)] = [:]
                for event in events {
                    let key = Key(subject: event.subject, type: event.envelope.type)
                    let previous = rows[key]
                    rows[key] = ((previous?.events ?? 0) + 1, Int64(event.sequence), event)
                }
                let table = try target.table("event_activity")
                var values: [String] = []
                var parameters: [any PostgresEncodable] = []
                for (key, row) in rows.sorted(by: { ($0.key.subject, $0.key.type) < ($1.key.subject, $1.key.type) }) {
                    let base = parameters.count
                    values.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5))")
                    parameters += [key.subject, key.type, row.events, row.last, row.at.storedAt]
                }
                try await target.connection.execute(
                    """
                    insert into \(table) as a (subject, event_type, events, last_sequence, last_stored_at)
                    values \(values.joined(separator: ", "))
                    on conflict (subject, event_type) do update set events = a.events + excluded.events,
                        last_sequence = greatest(a.last_sequence, excluded.last_sequence),
                        last_stored_at = greatest(a.last_stored_at, excluded.last_stored_at)
                    """, parameters)
            },
            bulkLoad: BulkLoad(
                table: "event_activity_load", columns: ["subject", "event_type", "sequence", "stored_at"],
                createLoadTable: { schema in
                    "create unlogged table \(schema).event_activity_load (subject text, event_type text, sequence bigint, stored_at timestamptz);"
                },
                rows: { event in [[event.subject, event.envelope.type, Int64(event.sequence), event.storedAt]] },
                finish: { schema in
                    """
                    insert into \(schema).event_activity (subject, event_type, events, last_sequence, last_stored_at)
                        select subject, event_type, count(*), max(sequence), max(stored_at)
                          from \(schema).event_activity_load group by subject, event_type;
                    drop table \(schema).event_activity_load;
                    """
                }))
    }
}

/// The projections this build knows, by name: what `almanac projector`, `replay` and the
/// lag report choose from. The booking, flow and run read models are added here as they land.
public struct ProjectionCatalog: Sendable {
    public let projections: [Projection]

    public init(_ projections: [Projection]) {
        self.projections = projections
    }

    /// Activity per subject for the streams that are kept (BOOKINGS, FLOWS, RUNS).
    public static func standard() throws -> ProjectionCatalog {
        ProjectionCatalog(try [AlmanacStreams.bookings, AlmanacStreams.flows, AlmanacStreams.runs].map { try EventActivityProjection.make(stream: $0) })
    }

    public var names: [String] { projections.map(\.name) }

    /// The named projections (all when `names` is empty); throws for an unknown name, listing the known ones.
    public func select(_ names: [String]) throws -> [Projection] {
        if names.isEmpty { return projections }
        return try names.map { name in
            guard let projection = projections.first(where: { $0.name == name }) else {
                throw ProjectionError.invalidArgument("no projection named \(String(reflecting: name)); known: \(self.names.joined(separator: ", "))")
            }
            return projection
        }
    }
}
