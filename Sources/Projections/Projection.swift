import EventStore
import PostgresClient

/// A read model declared as a value: what it reads, how its tables look, and how a batch of
/// events becomes SQL. The engine owns everything else (consumer, checkpoint, lease, rebuild).
///
/// The projection's tables live in a PostgreSQL schema named after the projection
/// (`Projection.name`); queries use `<name>.<table>`. A rebuild builds into another schema and
/// renames it into place, so `createTables` and `apply` must write only through the schema they
/// are given, never a hard-coded one.
public struct Projection: Sendable {
    /// Lowercase letters, digits and `_`, starting with a letter, at most 40 characters: it
    /// names the schema, the durable consumer and the lease key.
    public let name: String
    /// Bumped when `createTables` or `apply` change meaning; a database built by another
    /// version is not written to until `almanac replay <name>` rebuilt it.
    public let version: Int
    public let stream: String
    /// One subject filter (wildcards allowed), e.g. `bookings.>`.
    public let filter: String
    public let registry: EventTypeRegistry
    /// Tables in the projection's schema, compared by checksums and listed by operators.
    public let tables: [String]
    /// DDL creating the tables in `schema` (already quoted).
    public let createTables: @Sendable (_ schema: String) -> String
    /// Applies events (in stream order, each above the checkpoint) inside the batch's
    /// transaction. Throwing rolls the batch back; the engine then finds the event at fault.
    public let apply: @Sendable (_ events: [RecordedEvent], _ target: ProjectionTarget) async throws -> Void
    /// How a rebuild loads with COPY instead of `apply`; without it (and without `foldLoad`),
    /// a rebuild applies batches.
    public let bulkLoad: BulkLoad?
    /// How a rebuild folds the stream in memory and writes the final rows with COPY; takes
    /// precedence over `bulkLoad`.
    public let foldLoad: FoldLoad?
    /// Optional work on a batch that needs no lock and reads nothing another batch writes (e.g.
    /// COPY into a session's temporary table), done in the batch's transaction before the
    /// checkpoint is locked. With it the projector starts a batch's transaction while the batch
    /// before is still being applied, so PostgreSQL stages one while it writes the other.
    /// Answers whether it staged the events; `apply` then sees `target.staging == .staged` when
    /// it gets exactly those events, and `.discarded` when it gets fewer (some were at or below
    /// the checkpoint) and must start from clean staging.
    public let stage: (@Sendable (_ events: [RecordedEvent], _ target: ProjectionTarget) async throws -> Bool)?

    public init(name: String, version: Int, stream: String, filter: String, registry: EventTypeRegistry, tables: [String],
                createTables: @escaping @Sendable (_ schema: String) -> String,
                apply: @escaping @Sendable (_ events: [RecordedEvent], _ target: ProjectionTarget) async throws -> Void,
                bulkLoad: BulkLoad? = nil, foldLoad: FoldLoad? = nil,
                stage: (@Sendable (_ events: [RecordedEvent], _ target: ProjectionTarget) async throws -> Bool)? = nil) throws {
        guard Self.isValidName(name) else {
            throw ProjectionError.invalidDefinition(
                "projection name \(String(reflecting: name)) must be 1-40 lowercase letters, digits or _, starting with a letter")
        }
        guard version >= 1 else { throw ProjectionError.invalidDefinition("projection \(name): version must be 1 or more, got \(version)") }
        self.name = name
        self.version = version
        self.stream = stream
        self.filter = filter
        self.registry = registry
        self.tables = tables
        self.createTables = createTables
        self.apply = apply
        self.bulkLoad = bulkLoad
        self.foldLoad = foldLoad
        self.stage = stage
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (97...122).contains(first), name.utf8.count <= 40 else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// The durable pull consumer of this projection on its stream.
    public var consumerName: String { "projector_\(name)" }
}

/// Where `apply` writes: the transaction's connection and the schema to write into.
public struct ProjectionTarget: Sendable {
    public let connection: PostgresConnection
    /// The schema's name as it is (unquoted).
    public let schemaName: String
    /// What `Projection.stage` did in this transaction before `apply`.
    public let staging: Staging

    public enum Staging: Sendable, Equatable {
        /// Nothing staged (no `stage`, or it declined the batch).
        case none
        /// The events `apply` gets are exactly the ones staged.
        case staged
        /// Something was staged, but `apply` gets fewer events: staged rows must be cleared first.
        case discarded
    }

    public init(connection: PostgresConnection, schemaName: String, staging: Staging = .none) {
        self.connection = connection
        self.schemaName = schemaName
        self.staging = staging
    }

    /// `"schema"."table"`, for building statements.
    public func table(_ name: String) throws -> String {
        try PostgresIdentifier.quote(qualified: [schemaName, name])
    }
}

/// A rebuild's bulk path: each event becomes rows of one append-only load table, written with
/// COPY; `finish` then turns the load table into the projection's tables with set-based SQL.
/// Events for which `rows` answers nil (e.g. rare catalog events) go through `apply` instead,
/// after the COPY of their chunk: they must not depend on rows of the load table.
public struct BulkLoad: Sendable {
    /// Created in the rebuild's schema by `createTables` or by `createLoadTable`.
    public let table: String
    public let columns: [String]
    /// DDL for the load table in `schema` (quoted); run after `createTables`.
    public let createLoadTable: @Sendable (_ schema: String) -> String
    /// The load table's rows for one event (often none); nil sends the event to `apply`.
    public let rows: @Sendable (RecordedEvent) throws -> [[any PostgresEncodable]]?
    /// SQL run once every event is loaded (e.g. aggregate, then drop the load table).
    public let finish: @Sendable (_ schema: String) -> String

    public init(table: String, columns: [String], createLoadTable: @escaping @Sendable (_ schema: String) -> String,
                rows: @escaping @Sendable (RecordedEvent) throws -> [[any PostgresEncodable]]?,
                finish: @escaping @Sendable (_ schema: String) -> String) {
        self.table = table
        self.columns = columns
        self.createLoadTable = createLoadTable
        self.rows = rows
        self.finish = finish
    }
}
