import EventStore
import PostgresClient

/// A rebuild's fold path, for projections whose big table holds one row per key folded from
/// many events (a booking from its placement, moves, reschedules, check-in, cancellation):
/// each reader folds its range of the stream in memory, and `finish` writes the final rows with
/// COPY once. Nothing is written per event, so PostgreSQL neither stores nor sorts the events.
///
/// Memory is bounded: a reader whose fold holds more than its share of
/// `ProjectionRebuild.foldBudget` entries hands them to `spill`, which writes them as partial
/// rows to be merged by `finish`. A fold must therefore be mergeable in any order — each field
/// remembers the sequence it came from — and `finish` must give the same rows with or without
/// spills.
public struct FoldLoad: Sendable {
    /// DDL for the table spills write to, in `schema` (quoted); run with `createTables`, before
    /// the readers start (so two readers spilling at once need not create it). `finish` drops it.
    public let createSpillTable: @Sendable (_ schema: String) -> String
    /// The longest range of the stream one fold can take (a rebuild reads in more ranges when
    /// the stream is longer); nil for no limit.
    public let maximumRange: UInt64?
    /// An empty fold for one reader's contiguous range of the stream.
    public let makeFold: @Sendable () -> any RebuildFold
    /// After every reader is done and `apply` has run for the events the folds left to it:
    /// writes the folds (one per reader, in the order of their ranges) into `schema` (unquoted),
    /// with whatever depends on them (indexes, derived tables). May use several pooled
    /// connections at once; `schema` is private to the rebuild until it is swapped in. Answers
    /// its phases' seconds, for profiling.
    public let finish: @Sendable (_ folds: [any RebuildFold], _ schema: String, _ pool: PostgresPool) async throws -> [FinishPhase]

    public struct FinishPhase: Sendable, Equatable {
        public let name: String
        public let seconds: Double

        public init(_ name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
        }
    }

    public init(createSpillTable: @escaping @Sendable (_ schema: String) -> String, maximumRange: UInt64? = nil, makeFold: @escaping @Sendable () -> any RebuildFold,
                finish: @escaping @Sendable (_ folds: [any RebuildFold], _ schema: String, _ pool: PostgresPool) async throws -> [FinishPhase]) {
        self.createSpillTable = createSpillTable
        self.maximumRange = maximumRange
        self.makeFold = makeFold
        self.finish = finish
    }
}

/// One reader's fold. Used by one task at a time (the reader's, then `finish`'s).
public protocol RebuildFold: AnyObject, Sendable {
    /// Folds one event (a decoded body, as `EventTypeRegistry` gives it) in; events come in
    /// stream order. False leaves it to `apply`, which runs after the load and must not depend
    /// on the folded rows.
    func add(_ event: any Sendable, sequence: UInt64) throws -> Bool
    /// Entries held in memory, against the reader's share of the fold budget.
    var count: Int { get }
    /// Writes what is held as partial rows into `schema` (unquoted) and empties the fold.
    func spill(into schema: String, connection: PostgresConnection) async throws
}
