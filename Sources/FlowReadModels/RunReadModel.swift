import AlmanacEvents
import EventStore
import Flows
import Foundation
import PostgresClient
import Projections

/// The runs read model: every run with where it stands, and every attempt of every step with
/// its trace (times, rendered inputs, output or error) — what the studio's run history and an
/// operator's `almanac runs` read. Built from `RUNS` (`runs.>`); rebuilt with
/// `almanac replay runs`. Decisions never read it (the run's subject is the truth).
///
/// Each event touches the rows of its own run only, so a batch is a series of small keyed
/// statements inside the engine's one transaction per batch, sent as one libpq pipeline (in
/// order, without a round trip each).
public enum RunReadModel {
    public static let name = "runs"
    public static let tables = ["runs", "run_steps"]

    public static func projection() throws -> Projection {
        try Projection(
            name: name, version: 1, stream: AlmanacStreams.runs, filter: "runs.>", registry: AlmanacEventCatalog.registry,
            tables: tables, createTables: createTables, apply: { events, target in
                var statements: [PostgresStatement] = []
                for event in events {
                    statements += try self.statements(for: event, in: target)
                    if statements.count >= pipelineLength {
                        _ = try await target.connection.pipeline(statements)
                        statements.removeAll(keepingCapacity: true)
                    }
                }
                _ = try await target.connection.pipeline(statements)
            })
    }

    static func createTables(_ schema: String) -> String {
        """
        create table \(schema).runs (
            run_id text primary key, flow_id text not null, flow_version int not null,
            trigger_type text not null, trigger_key text not null,
            status text not null check (status in ('running', 'completed', 'failed', 'cancelled')),
            current_step text, started_at timestamptz not null, finished_at timestamptz,
            failure_reason text, updated_at timestamptz not null, last_sequence bigint not null);
        create index on \(schema).runs (flow_id, started_at desc, run_id desc);
        create index on \(schema).runs (status, started_at desc, run_id desc);
        create table \(schema).run_steps (
            run_id text not null, step_id text not null, attempt int not null, kind text,
            status text not null check (status in ('scheduled', 'running', 'awaiting_approval', 'succeeded', 'failed')),
            scheduled_at timestamptz, run_at timestamptz, started_at timestamptz, finished_at timestamptz,
            duration_ms double precision, inputs jsonb, output jsonb, error jsonb, will_retry boolean,
            first_sequence bigint not null, last_sequence bigint not null,
            primary key (run_id, step_id, attempt));
        create index on \(schema).run_steps (run_id, first_sequence);
        """
    }

    static func json(_ value: some Encodable) throws -> PostgresJSON {
        try PostgresJSON(encoding: value, encoder: EventCoding.encoder)
    }

    /// Statements per pipeline: bounds what a large batch holds encoded at once.
    static let pipelineLength = 2_000

    /// The statements that apply one run event, in order.
    static func statements(for recorded: RecordedEvent, in target: ProjectionTarget) throws -> [PostgresStatement] {
        guard let event = RunEvent(payload: recorded.event) else { return [] }
        let runs = try target.table("runs")
        let steps = try target.table("run_steps")
        let at = recorded.envelope.occurredAt
        let sequence = Int64(recorded.sequence)

        /// Inserts the attempt's row or updates it with `status` and `columns` (bound from `$6` on).
        func upsertStep(_ runId: String, _ stepId: String, _ attempt: Int, status: String,
                        columns: [String] = [], values: [any PostgresEncodable] = []) -> PostgresStatement {
            let placeholders = columns.indices.map { "$\($0 + 6)" }
            let insertColumns = (["run_id", "step_id", "attempt", "status", "first_sequence", "last_sequence"] + columns).joined(separator: ", ")
            let insertValues = (["$1", "$2", "$3", "$4", "$5", "$5"] + placeholders).joined(separator: ", ")
            let updates = (["status = $4", "last_sequence = $5"] + zip(columns, placeholders).map { "\($0) = \($1)" }).joined(separator: ", ")
            return PostgresStatement("""
                insert into \(steps) (\(insertColumns)) values (\(insertValues))
                on conflict (run_id, step_id, attempt) do update set \(updates)
                """, [runId, stepId, attempt, status, sequence] + values)
        }
        /// Updates the run's row: `set` is SQL over `$3` on; `$1` run id, `$2` sequence, `$3` time.
        func updateRun(_ runId: String, set: String = "", _ values: [any PostgresEncodable] = []) -> PostgresStatement {
            PostgresStatement("""
                update \(runs) set last_sequence = $2, updated_at = $3\(set.isEmpty ? "" : ", " + set) where run_id = $1
                """, [runId, sequence, at] + values)
        }

        switch event {
        case .started(let e):
            return [PostgresStatement("""
                insert into \(runs) (run_id, flow_id, flow_version, trigger_type, trigger_key, status, started_at, updated_at, last_sequence)
                values ($1, $2, $3, $4, $5, 'running', $6, $6, $7) on conflict (run_id) do nothing
                """, [e.runId, e.flowId, e.flowVersion, e.triggerType, e.triggerKey, at, sequence])]
        case .stepScheduled(let e):
            return [upsertStep(e.runId, e.stepId, e.attempt, status: "scheduled", columns: ["kind", "scheduled_at", "run_at"],
                               values: [e.kind.rawValue, at, e.runAt]),
                    updateRun(e.runId, set: "current_step = $4", [e.stepId])]
        case .stepRetryScheduled(let e):
            return [upsertStep(e.runId, e.stepId, e.attempt, status: "scheduled", columns: ["kind", "scheduled_at", "run_at"],
                               values: [e.kind.rawValue, at, e.runAt]),
                    updateRun(e.runId, set: "current_step = $4", [e.stepId])]
        case .stepStarted(let e):
            return [upsertStep(e.runId, e.stepId, e.attempt, status: "running", columns: ["started_at", "inputs"],
                               values: [e.startedAt ?? at, try e.inputs.map { try json($0) }]),
                    updateRun(e.runId)]
        case .stepSucceeded(let e):
            return [upsertStep(e.runId, e.stepId, e.attempt, status: "succeeded", columns: ["finished_at", "duration_ms", "output"],
                               values: [e.finishedAt ?? at, e.durationMs, try json(e.output)]),
                    updateRun(e.runId, set: "current_step = $4", [e.stepId])]
        case .stepFailed(let e):
            return [upsertStep(e.runId, e.stepId, e.attempt, status: "failed", columns: ["finished_at", "duration_ms", "error", "will_retry"],
                               values: [e.finishedAt ?? at, e.durationMs, try json(e.error), e.willRetry]),
                    updateRun(e.runId)]
        case .approvalRequested(let e):
            // The request is the approval step's input: who may decide, what they read, until when.
            let request: FlowValue = ["approvers": .array(e.approvers.map { .string($0) }), "message": .string(e.message),
                                      "deadline": .string(FlowTime.format(e.deadline)), "defaultOutcome": .string(e.defaultOutcome.rawValue)]
            return [PostgresStatement("""
                update \(steps) set status = 'awaiting_approval', inputs = $3, last_sequence = $4
                 where run_id = $1 and step_id = $2 and attempt = (select max(attempt) from \(steps) where run_id = $1 and step_id = $2)
                """, [e.runId, e.stepId, try json(request), sequence]),
                    updateRun(e.runId)]
        case .approvalDecided(let e):
            // The step's success (with the decision as output) follows in the same append.
            return [updateRun(e.runId)]
        case .completed(let e):
            return [updateRun(e.runId, set: "status = 'completed', current_step = null, finished_at = $3, failure_reason = null")]
        case .failed(let e):
            return [updateRun(e.runId, set: "status = 'failed', finished_at = $3, failure_reason = $4, current_step = coalesce($5, current_step)",
                                [e.reason, e.stepId])]
        case .cancelled(let e):
            return [updateRun(e.runId, set: "status = 'cancelled', finished_at = $3, failure_reason = $4",
                                ["cancelled by \(e.cancelledBy): \(e.reason)"])]
        case .retried(let e):
            return [updateRun(e.runId, set: "status = 'running', finished_at = null, failure_reason = null, current_step = $4", [e.fromStepId])]
        }
    }
}
