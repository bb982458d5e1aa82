import Flows
import Foundation
import PostgresClient

/// Queries over the runs read model, for the studio's run history and `almanac runs`. Every
/// value is a parameter; the schema is the projection's (swapped in place by a rebuild).
public struct FlowRunQueries: Sendable {
    let pool: PostgresPool
    let schema: String

    public init(pool: PostgresPool, schema: String = RunReadModel.name) {
        self.pool = pool
        self.schema = schema
    }

    /// A run as the list shows it.
    public struct Run: Sendable, Equatable {
        public let runId: String, flowId: String, flowVersion: Int
        public let triggerType: String, triggerKey: String
        /// `running`, `completed`, `failed` or `cancelled`.
        public let status: String
        public let currentStep: String?
        public let startedAt: Date, finishedAt: Date?
        /// Why it failed, or who cancelled it and why.
        public let failureReason: String?
        public let updatedAt: Date
        /// The stream sequence of the run's last event the read model holds.
        public let lastSequence: UInt64
    }

    /// One attempt of one step, with its trace.
    public struct Step: Sendable, Equatable {
        public let stepId: String, attempt: Int
        /// Absent for steps settled without being scheduled (branches).
        public let kind: String?
        /// `scheduled`, `running`, `awaiting_approval`, `succeeded` or `failed`.
        public let status: String
        public let scheduledAt: Date?, runAt: Date?, startedAt: Date?, finishedAt: Date?
        public let durationMs: Double?
        public let inputs: FlowValue?, output: FlowValue?
        public let error: StepError?
        public let willRetry: Bool?
    }

    /// A run with every attempt of its steps, in the order they happened.
    public struct RunDetail: Sendable, Equatable {
        public let run: Run
        public let steps: [Step]
    }

    /// Where the next page starts: after this run in newest-first order.
    public struct Cursor: Sendable, Equatable {
        public let startedAt: Date
        public let runId: String

        public init(startedAt: Date, runId: String) {
            self.startedAt = startedAt
            self.runId = runId
        }
    }

    public struct Page: Sendable, Equatable {
        public let runs: [Run]
        /// Nil on the last page.
        public let next: Cursor?
    }

    public static let statuses = ["running", "completed", "failed", "cancelled"]

    /// Runs newest first, optionally of one flow and one status, `limit` at a time.
    public func runs(flowId: String? = nil, status: String? = nil, limit: Int = 50, after cursor: Cursor? = nil) async throws -> Page {
        if let status, !Self.statuses.contains(status) { throw FlowRunQueryError.unknownStatus(status) }
        guard (1...1000).contains(limit) else { throw FlowRunQueryError.invalidLimit(limit) }
        let rows = try await query("""
            select \(Self.runColumns) from \(schema).runs
             where ($1::text is null or flow_id = $1) and ($2::text is null or status = $2)
               and ($3::timestamptz is null or (started_at, run_id) < ($3, $4::text))
             order by started_at desc, run_id desc limit $5
            """, [flowId, status, cursor?.startedAt, cursor?.runId, limit + 1])
        var runs = try rows.map(Self.run)
        var next: Cursor?
        if runs.count > limit {
            runs.removeLast()
            next = runs.last.map { Cursor(startedAt: $0.startedAt, runId: $0.runId) }
        }
        return Page(runs: runs, next: next)
    }

    /// The run with its steps' attempts in order; nil when the read model has no such run.
    public func run(_ runId: String) async throws -> RunDetail? {
        guard let row = try await query("select \(Self.runColumns) from \(schema).runs where run_id = $1", [runId]).first else { return nil }
        let steps = try await query("""
            select step_id, attempt, kind, status, scheduled_at, run_at, started_at, finished_at, duration_ms, inputs, output, error, will_retry
              from \(schema).run_steps where run_id = $1 order by first_sequence, attempt
            """, [runId]).map { row in
            Step(stepId: try row.decode(String.self, at: 0), attempt: try row.decode(Int.self, at: 1), kind: try row.decode(String?.self, at: 2),
                 status: try row.decode(String.self, at: 3), scheduledAt: try row.decode(Date?.self, at: 4), runAt: try row.decode(Date?.self, at: 5),
                 startedAt: try row.decode(Date?.self, at: 6), finishedAt: try row.decode(Date?.self, at: 7),
                 durationMs: try row.decode(Double?.self, at: 8),
                 inputs: try row.decode(PostgresJSON?.self, at: 9)?.decode(as: FlowValue.self),
                 output: try row.decode(PostgresJSON?.self, at: 10)?.decode(as: FlowValue.self),
                 error: try row.decode(PostgresJSON?.self, at: 11)?.decode(as: StepError.self),
                 willRetry: try row.decode(Bool?.self, at: 12))
        }
        return RunDetail(run: try Self.run(row), steps: steps)
    }

    /// The query, with "the read model was never built" told as such instead of a missing table.
    func query(_ sql: String, _ parameters: [any PostgresEncodable]) async throws -> PostgresQueryResult {
        do {
            return try await pool.query(sql, parameters)
        } catch let error as PostgresError where error.sqlState == .undefinedTable {
            throw FlowRunQueryError.readModelMissing(schema: schema)
        }
    }

    static let runColumns = """
        run_id, flow_id, flow_version, trigger_type, trigger_key, status, current_step, started_at, finished_at, failure_reason, updated_at, last_sequence
        """

    static func run(_ row: PostgresRow) throws -> Run {
        Run(runId: try row.decode(String.self, at: 0), flowId: try row.decode(String.self, at: 1), flowVersion: try row.decode(Int.self, at: 2),
            triggerType: try row.decode(String.self, at: 3), triggerKey: try row.decode(String.self, at: 4), status: try row.decode(String.self, at: 5),
            currentStep: try row.decode(String?.self, at: 6), startedAt: try row.decode(Date.self, at: 7), finishedAt: try row.decode(Date?.self, at: 8),
            failureReason: try row.decode(String?.self, at: 9), updatedAt: try row.decode(Date.self, at: 10),
            lastSequence: UInt64(try row.decode(Int64.self, at: 11)))
    }
}

/// A question the runs read model cannot answer as asked.
public enum FlowRunQueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownStatus(String)
    case invalidLimit(Int)
    /// The projector has not built the runs read model in this database yet.
    case readModelMissing(schema: String)

    public var description: String {
        switch self {
        case .unknownStatus(let status):
            "'\(status)' is not a run status (one of \(FlowRunQueries.statuses.joined(separator: ", ")))"
        case .invalidLimit(let limit): "a page holds 1 to 1000 runs, not \(limit)"
        case .readModelMissing(let schema):
            "the runs read model (schema \(schema)) is not built in this database yet: run 'almanac projector \(RunReadModel.name)' (or 'almanac dev')"
        }
    }
}
