import ArgumentParser
import EventStore
import FlowDesigner
import FlowReadModels
import FlowRuntime
import FlowWork
import Flows
import Foundation
import NATSClient
import OperatorTools
import PostgresClient

/// `almanac runs`: the run history from the runs read model, and what an operator does to a run
/// (retry a failed one from its failed step, cancel one, decide a waiting approval), plus the
/// dead letters in WORK.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List and show flow runs, retry or cancel a run, decide an approval, list dead letters.",
        discussion: """
        Examples:
          almanac runs list --flow booking-confirmation --status failed
          almanac runs show r0123abcd...                 every step attempt with its trace
          almanac runs retry r0123abcd... --as ada       go on from the failed step
          almanac runs cancel r0123abcd... --reason "booked twice" --as ada
          almanac runs decide r0123abcd... --step approve --outcome approved --as ada@example.com
          almanac runs dead --kind send_email            dead letters in WORK, left in place
        """,
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Decide.self, Dead.self])

    struct ActorOptions: ParsableArguments {
        @Option(name: .customLong("as"), help: "Who does it (recorded in the event). Env: ALMANAC_ACTOR, else USER.")
        var actorFlag: String?

        var actor: String {
            actorFlag ?? ProcessInfo.processInfo.environment["ALMANAC_ACTOR"] ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
        }
    }

    static func withQueries<T>(_ database: DatabaseOptions, _ body: (FlowRunQueries) async throws -> T) async throws -> T {
        let pool = PostgresPool(PostgresConfiguration(conninfo: database.url, applicationName: "almanac-runs"), size: 1)
        do {
            let result = try await body(FlowRunQueries(pool: pool))
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    /// A connection with the streams in place (as every role that reads or appends ensures them).
    static func connect(_ nats: NATSOptions) async throws -> NATSConnection {
        let connection = try await nats.connect(name: "almanac-runs")
        do {
            try await AlmanacStreams.ensure(on: connection.jetStream)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    static func time(_ date: Date?) -> String { date.map(FlowTime.format) ?? "-" }

    static func json(_ value: FlowValue?) -> String {
        guard let value, let data = try? JSONEncoder.sortedCompact.encode(value) else { return "-" }
        return String(decoding: data, as: UTF8.self)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs newest first (from the runs read model).")
        @Option(name: .customLong("flow"), help: "Only runs of this flow.") var flowId: String?
        @Option(name: .customLong("status"), help: "running, completed, failed or cancelled.") var status: String?
        @Option(name: .customLong("limit"), help: "At most this many runs.") var limit = 50
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let page = try await RunsCommand.withQueries(database) { try await $0.runs(flowId: flowId, status: status, limit: limit) }
            var table = TextTable(columns: ["run", "flow", "version", "status", "step", "started", "finished", "reason"])
            for run in page.runs {
                table.add([run.runId, run.flowId, "v\(run.flowVersion)", run.status, run.currentStep ?? "-", RunsCommand.time(run.startedAt),
                           RunsCommand.time(run.finishedAt), run.failureReason ?? ""])
            }
            print(page.runs.isEmpty ? "no runs" : table.render(), terminator: page.runs.isEmpty ? "\n" : "")
            if page.next != nil { print("(more: raise --limit)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run and every step attempt with its trace.")
        @Argument(help: "Run id.") var runId: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let detail = try await RunsCommand.withQueries(database, { try await $0.run(runId) }) else {
                throw RunOperationError.runNotFound(runId)
            }
            let run = detail.run
            print("run \(run.runId): flow \(run.flowId) v\(run.flowVersion), \(run.status)")
            print("trigger \(run.triggerType) \(run.triggerKey); started \(RunsCommand.time(run.startedAt)), finished \(RunsCommand.time(run.finishedAt))")
            if let reason = run.failureReason { print("reason: \(reason)") }
            var table = TextTable(columns: ["step", "attempt", "kind", "status", "started", "ms", "retry", "error"])
            for step in detail.steps {
                table.add([step.stepId, "\(step.attempt)", step.kind ?? "-", step.status, RunsCommand.time(step.startedAt),
                           step.durationMs.map { "\(Int($0))" } ?? "-", step.willRetry.map { $0 ? "yes" : "no" } ?? "-",
                           step.error.map { "\($0.kind.rawValue): \($0.message)" } ?? ""])
            }
            print(table.render(), terminator: "")
            for step in detail.steps where step.inputs != nil || step.output != nil {
                print("\(step.stepId)#\(step.attempt) inputs \(RunsCommand.json(step.inputs)) output \(RunsCommand.json(step.output))")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retry a failed run from its failed step (flow-control schedules the job).")
        @Argument(help: "Run id.") var runId: String
        @OptionGroup var actor: ActorOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let connection = try await RunsCommand.connect(nats)
            defer { connection.close() }
            let outcome = try await RunOperations(jetStream: connection.jetStream).retry(runId, by: actor.actor)
            let scheduled = outcome.events.compactMap { if case .stepScheduled(let s) = $0 { "\(s.stepId) attempt \(s.attempt)" } else { nil } }
            print("run \(runId) is \(outcome.status.rawValue) again\(scheduled.isEmpty ? "" : ": scheduled " + scheduled.joined(separator: ", "))")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a run that has not finished.")
        @Argument(help: "Run id.") var runId: String
        @Option(name: .customLong("reason"), help: "Why (shown in the run's history).") var reason = "cancelled by an operator"
        @OptionGroup var actor: ActorOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let connection = try await RunsCommand.connect(nats)
            defer { connection.close() }
            let outcome = try await RunOperations(jetStream: connection.jetStream).cancel(runId, reason: reason, by: actor.actor)
            print(outcome.events.isEmpty ? "run \(runId) was already cancelled" : "run \(runId) cancelled")
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide an approval step that waits for a person (as the studio will).",
            discussion: "--as names the person deciding: one of the step's approvers, or someone with a --role the step lists as role:<name>.")
        @Argument(help: "Run id.") var runId: String
        @Option(name: .customLong("step"), help: "The approval step's id.") var stepId: String
        @Option(name: .customLong("outcome"), help: "approved or rejected.") var outcome: ApprovalStep.Outcome
        @Option(name: .customLong("role"), help: "A role of the person deciding (repeat for several).") var roles: [String] = []
        @Option(name: .customLong("comment"), help: "Why (kept in the run's history).") var comment: String?
        @OptionGroup var actor: ActorOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let connection = try await RunsCommand.connect(nats)
            defer { connection.close() }
            let decision = DecideApproval(stepId: stepId, outcome: outcome, decidedBy: actor.actor, roles: roles, comment: comment)
            let outcome = try await RunOperations(jetStream: connection.jetStream).decideApproval(runId, decision)
            print("run \(runId): step \(stepId) \(decision.outcome.rawValue) by \(decision.decidedBy); the run is \(outcome.status.rawValue)")
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dead letters in WORK (work.dead.*) with their reasons; they stay in place.")
        @Option(name: .customLong("kind"), help: "Only this step kind (send_email, http_request, booking_command, publish_event, unreadable).")
        var kind: String?
        @Option(name: .customLong("limit"), help: "At most this many letters.") var limit = 1000
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let connection = try await RunsCommand.connect(nats)
            defer { connection.close() }
            let letters = try await DeadLetters(jetStream: connection.jetStream).list(kind: kind, limit: limit)
            var table = TextTable(columns: ["seq", "subject", "stored", "run", "step", "attempt", "reason"])
            for letter in letters {
                table.add(["\(letter.sequence)", letter.subject, FlowTime.format(letter.storedAt), letter.dead?.job.runId ?? "-",
                           letter.dead?.job.stepId ?? "-", letter.dead.map { "\($0.job.attempt)" } ?? "-", letter.reason])
            }
            print(letters.isEmpty ? "no dead letters" : table.render(), terminator: letters.isEmpty ? "\n" : "")
        }
    }
}

extension JSONEncoder {
    static var sortedCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension ApprovalStep.Outcome: ExpressibleByArgument {}
