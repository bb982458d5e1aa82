import AlmanacEvents
import EventStore
import FlowReadModels
import Flows
import Foundation
import NATSClient
import PostgresClient
import Projections
import Testing
import TestSupport

@Suite("Runs read model", .timeLimit(.minutes(5)))
struct RunReadModelTests {
    static let mailFlow = FlowDefinition(
        id: "confirm", name: "Confirm", trigger: .manual(ManualTrigger()),
        steps: [FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{actor.email}}"], subject: "Hi", body: "Hello")),
                         retry: RetryPolicy(attempts: 2, initialDelay: "1s", multiplier: 1, jitter: 0))])

    /// Drives one run through the decider as flow-control and the runtime would, appending each
    /// decision to the run's subject with the expected sequence.
    final class RunDriver: @unchecked Sendable { // Used by one test task at a time, never shared.
        let store: EventStore
        let flow: FlowDefinition
        let runId: String
        var state = RunState()
        var last: UInt64?
        var now = Date(timeIntervalSince1970: 1_773_129_600)

        init(store: EventStore, flow: FlowDefinition, runId: String) {
            self.store = store
            self.flow = flow
            self.runId = runId
        }

        var subject: String { "runs.\(flow.id).\(runId)" }

        func decide(_ command: RunCommand, stamp: (RunEvent) -> RunEvent = { $0 }) async throws {
            now += 2
            let events = try RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: now)).get().map(stamp)
            let result = try await store.append(events.map(\.payload), to: subject, expecting: last.map { .sequence($0) } ?? .noStream)
            last = result.lastSequence
            state = RunState.evolve(state, with: events)
        }

        func start() async throws {
            try await decide(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "button-\(runId)", triggerData: ["actor": ["email": "ada@example.com"]])))
        }

        /// An attempt as the runtime records it: started with inputs, finished with timings.
        func attempt(_ stepId: String, _ attempt: Int, failing error: StepError? = nil) async throws {
            let at = now
            try await decide(.stepStarted(stepId: stepId, attempt: attempt)) {
                $0.stampingStart(stepId: stepId, attempt: attempt, at: at, inputs: ["to": ["ada@example.com"]])
            }
            let command: RunCommand = if let error { .stepFailed(stepId: stepId, attempt: attempt, error: error) }
                else { .stepSucceeded(stepId: stepId, attempt: attempt, output: ["transport": "outbox"]) }
            try await decide(command) { $0.stampingFinish(stepId: stepId, attempt: attempt, at: at + 0.25, durationMs: 250) }
        }
    }

    @Test("Given runs that complete, fail, are retried, wait for approval and are cancelled, when projected, then the studio's queries show each run and its steps in order; and a rebuild gives the same rows")
    func projectedRunsAndSteps() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "run-read-model-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let store = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)

        // Completed on the second attempt.
        let completed = RunDriver(store: store, flow: Self.mailFlow, runId: "run-a")
        try await completed.start()
        try await completed.attempt("mail", 1, failing: StepError(kind: .network, message: "connection reset"))
        try await completed.attempt("mail", 2)
        // Failed for good, then retried from the failed step by an editor, then running again.
        let retried = RunDriver(store: store, flow: Self.mailFlow, runId: "run-b")
        retried.now += 60
        try await retried.start()
        try await retried.attempt("mail", 1, failing: StepError(kind: .invalidInput, message: "'Ada' is not an email address"))
        try await retried.decide(.retryFromFailedStep(by: "editor@example.com"))
        // Failed and left failed; written without trace fields (as version 1 events were).
        let failed = RunDriver(store: store, flow: Self.mailFlow, runId: "run-c")
        failed.now += 120
        try await failed.start()
        try await failed.decide(.stepStarted(stepId: "mail", attempt: 1))
        try await failed.decide(.stepFailed(stepId: "mail", attempt: 1, error: StepError(kind: .clientError, message: "550 mailbox unavailable")))
        // Waiting for an approval, then cancelled by a person.
        let approval = RunDriver(store: store, flow: FlowEventExamples.everyKind, runId: "run-d")
        approval.now += 180
        try await approval.decide(.start(StartRun(runId: "run-d", flowVersion: 2, triggerKey: "button-d", triggerData: ["input": ["bookingId": "bk-1"]])))
        let waiting = RunDriver(store: store, flow: FlowEventExamples.everyKind, runId: "run-e")
        waiting.now += 240
        try await waiting.decide(.start(StartRun(runId: "run-e", flowVersion: 2, triggerKey: "button-e", triggerData: ["input": ["bookingId": "bk-2"]])))
        try await approval.decide(.cancel(reason: "not needed", by: "bob@example.com"))
        let last = try await nats.jetStream.streamInfo(AlmanacStreams.runs).state.lastSequence

        let database = try await env.makeDatabase(prefix: "runsmodel")
        let pool = PostgresPool(PostgresConfiguration(conninfo: database), size: 4)
        _ = try await Migrator(directory: SchemaCheck.repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        let projection = try RunReadModel.projection()
        let projector = Projector(projection: projection, pool: pool, jetStream: nats.jetStream, instance: "test",
                                  settings: .init(batchSize: 7, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result

        let queries = FlowRunQueries(pool: pool)
        let all = try await queries.runs()
        #expect(all.runs.map(\.runId) == ["run-e", "run-d", "run-c", "run-b", "run-a"], "newest first")
        #expect(all.next == nil)
        #expect(try await queries.runs(flowId: "confirm").runs.map(\.runId) == ["run-c", "run-b", "run-a"])
        #expect(try await queries.runs(status: "failed").runs.map(\.runId) == ["run-c"])
        #expect(try await queries.runs(status: "running").runs.map(\.runId) == ["run-e", "run-b"])
        #expect(try await queries.runs(flowId: "confirm", status: "completed").runs.map(\.runId) == ["run-a"])
        // Paging: two at a time, each page after the last one's cursor.
        let first = try await queries.runs(limit: 2)
        let afterFirst: FlowRunQueries.Cursor = try #require(first.next)
        let second = try await queries.runs(limit: 2, after: afterFirst)
        let afterSecond: FlowRunQueries.Cursor = try #require(second.next)
        let third = try await queries.runs(limit: 2, after: afterSecond)
        #expect((first.runs + second.runs + third.runs).map(\.runId) == all.runs.map(\.runId))
        #expect(third.next == nil)
        await #expect(throws: FlowRunQueryError.unknownStatus("done")) { try await queries.runs(status: "done") }

        let a = try #require(try await queries.run("run-a"))
        #expect(a.run.status == "completed")
        #expect(a.run.flowId == "confirm" && a.run.flowVersion == 1 && a.run.triggerType == "manual" && a.run.triggerKey == "button-run-a")
        #expect(a.run.finishedAt != nil && a.run.currentStep == nil && a.run.failureReason == nil)
        #expect(a.steps.map(\.attempt) == [1, 2])
        #expect(a.steps.map(\.status) == ["failed", "succeeded"])
        #expect(a.steps.allSatisfy { $0.kind == "send_email" && $0.durationMs == 250 && $0.startedAt != nil && $0.finishedAt != nil })
        #expect(a.steps[0].error == StepError(kind: .network, message: "connection reset"))
        #expect(a.steps[0].willRetry == true)
        #expect(a.steps[1].runAt != nil, "the retry's due time")
        #expect(a.steps[1].inputs == ["to": ["ada@example.com"]])
        #expect(a.steps[1].output == ["transport": "outbox"])

        let b = try #require(try await queries.run("run-b"))
        #expect(b.run.status == "running")
        #expect(b.run.currentStep == "mail")
        #expect(b.run.failureReason == nil && b.run.finishedAt == nil)
        #expect(b.steps.map(\.status) == ["failed", "scheduled"])
        #expect(b.steps.map(\.attempt) == [1, 2])

        let c = try #require(try await queries.run("run-c"))
        #expect(c.run.status == "failed")
        #expect(c.run.failureReason == "step 'mail' failed after 1 attempt: 550 mailbox unavailable")
        #expect(c.steps.first?.durationMs == nil, "version 1 events have no timings")
        #expect(c.steps.first?.startedAt != nil, "the event's time stands in")

        let d = try #require(try await queries.run("run-d"))
        #expect(d.run.status == "cancelled")
        #expect(d.run.failureReason == "cancelled by bob@example.com: not needed")
        let e = try #require(try await queries.run("run-e"))
        #expect(e.steps.map(\.status) == ["awaiting_approval"])
        #expect(e.steps.first?.inputs?.value(at: ["approvers"]) == ["facilities@example.com", "role:admin"])
        #expect(try await queries.run("nope") == nil)

        // The same stream rebuilt into fresh tables gives the same rows, table by table.
        let rebuilt = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: nats.jetStream).run(.toSequence(last))
        for table in RunReadModel.tables {
            #expect(try await checksum(pool, schema: projection.name, table: table) == checksum(pool, schema: rebuilt.schema, table: table), "\(table)")
        }
        await pool.close()
        nats.close()
        await server.stop()
    }

    @Test func givenADatabaseWhereTheRunsProjectionNeverRan_whenQueried_thenTheErrorSaysToRunTheProjector() async throws {
        let env = try await TestServers.shared()
        let pool = PostgresPool(PostgresConfiguration(conninfo: try await env.makeDatabase(prefix: "runsmissing")), size: 1)
        let queries = FlowRunQueries(pool: pool)
        await #expect(throws: FlowRunQueryError.readModelMissing(schema: "runs")) { try await queries.runs() }
        await #expect(throws: FlowRunQueryError.readModelMissing(schema: "runs")) { try await queries.run("r1") }
        #expect(FlowRunQueryError.readModelMissing(schema: "runs").description.contains("almanac projector runs"))
        await pool.close()
    }

    @Test func givenTraceEventsOfVersion1_whenDecoded_thenTheyReadAsTheNewestVersionWithoutTraceFields() throws {
        let registry = AlmanacEventCatalog.registry
        let started = try registry.decode(type: "run.step_started", version: 1, body: Data(#"{"runId":"r1","stepId":"mail","attempt":1}"#.utf8))
        #expect(started as? StepStarted == StepStarted(runId: "r1", stepId: "mail", attempt: 1))
        let succeeded = try registry.decode(type: "run.step_succeeded", version: 1,
                                            body: Data(#"{"runId":"r1","stepId":"mail","attempt":1,"output":{"trace":{"durationMs":3}}}"#.utf8))
        #expect(succeeded as? StepSucceeded == StepSucceeded(runId: "r1", stepId: "mail", attempt: 1, output: ["trace": ["durationMs": 3]]))
        let failed = try registry.decode(type: "run.step_failed", version: 1, body: Data(#"""
            {"runId":"r1","stepId":"mail","attempt":1,"willRetry":false,"error":{"kind":"network","message":"reset"}}
            """#.utf8))
        #expect((failed as? StepFailed)?.durationMs == nil)
        #expect(registry.registeredTypes.first { $0.wireName == "run.step_started" }?.version == 2)
    }

    /// The table's rows as text, ordered, hashed: equal content gives equal checksums.
    func checksum(_ pool: PostgresPool, schema: String, table: String) async throws -> String {
        let name = try PostgresIdentifier.quote(qualified: [schema, table])
        return try await pool.query("select coalesce(md5(string_agg(t::text, '|' order by t::text)), 'empty') from \(name) t").singleValue(String.self) ?? "empty"
    }
}
