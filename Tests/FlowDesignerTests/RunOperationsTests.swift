import AlmanacEvents
import EventStore
import FlowDesigner
import Flows
import Foundation
import NATSClient
import Testing
import TestSupport

@Suite("Run operations: retry, cancel, decide an approval", .timeLimit(.minutes(3)))
struct RunOperationsTests {
    /// The published flow, and a run of it started as flow-control starts one.
    struct Started {
        let operations: RunOperations
        let store: EventStore
        let flow: FlowDefinition
        let runId: String
        var subject: String { "runs.\(flow.id).\(runId)" }

        func decide(_ command: RunCommand) async throws {
            let recorded = try await store.read(subject: subject)
            let state = recorded.compactMap { RunEvent(payload: $0.event) }.reduce(RunState(), RunState.evolve)
            let events = try RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: Date())).get()
            _ = try await store.append(events.map(\.payload), to: subject, expecting: recorded.last.map { .sequence($0.sequence) } ?? .noStream)
        }

        func events() async throws -> [RunEvent] {
            try await store.read(subject: subject).compactMap { RunEvent(payload: $0.event) }
        }
    }

    static func start(_ definition: FlowDefinition, data: FlowValue = ["actor": ["email": "ada@example.com"]]) async throws -> (Started, NATSConnection) {
        let (designer, nats) = try await FlowDesignerTests.designer()
        var flow = definition
        flow.id = FlowDesignerTests.uniqueId(definition.id)
        try await designer.saveDraft(flow, by: "editor-ada")
        try await designer.publish(flow.id, by: "editor-ada")
        let started = Started(operations: RunOperations(jetStream: nats.jetStream),
                              store: EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry),
                              flow: flow, runId: FlowDesignerTests.uniqueId("run"))
        try await started.decide(.start(StartRun(runId: started.runId, flowVersion: 1, triggerKey: "button-\(started.runId)", triggerData: data)))
        return (started, nats)
    }

    static let mailFlow = FlowDefinition(
        id: "ops-mail", name: "Ops mail", trigger: .manual(ManualTrigger()),
        steps: [FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{actor.email}}"], subject: "Hi", body: "Hello")),
                         retry: RetryPolicy(attempts: 1))])

    @Test func givenAFailedRun_whenRetried_thenItRunsAgainFromTheFailedStepWithTheNextAttemptScheduled() async throws {
        let (run, nats) = try await Self.start(Self.mailFlow)
        defer { nats.close() }
        try await run.decide(.stepStarted(stepId: "mail", attempt: 1))
        try await run.decide(.stepFailed(stepId: "mail", attempt: 1, error: StepError(kind: .clientError, message: "550 mailbox unavailable")))

        let outcome = try await run.operations.retry(run.runId, by: "editor-bob")
        #expect(outcome.status == .running)
        #expect(outcome.flowId == run.flow.id)
        guard outcome.events.count == 2, case .retried(let retried) = outcome.events[0], case .stepScheduled(let scheduled) = outcome.events[1] else {
            Issue.record("unexpected events \(outcome.events)")
            return
        }
        #expect(retried.fromStepId == "mail" && retried.retriedBy == "editor-bob")
        #expect(scheduled.stepId == "mail" && scheduled.attempt == 2 && scheduled.kind == .sendEmail)
        #expect(Array(try await run.events().suffix(2)) == outcome.events, "appended to the run's subject")

        // Running again, it cannot be retried; with the reason in words.
        await #expect(throws: RunOperationError.notFailed(runId: run.runId, status: .running)) {
            try await run.operations.retry(run.runId, by: "editor-bob")
        }
        #expect(RunOperationError.notFailed(runId: run.runId, status: .running).description
                == "run '\(run.runId)' is running, not failed: only a failed run can be retried")
    }

    @Test func givenARunningRun_whenCancelled_thenItIsCancelledOnce_andAFinishedRunCannotBeCancelledOrRetried() async throws {
        let (run, nats) = try await Self.start(Self.mailFlow)
        defer { nats.close() }
        let outcome = try await run.operations.cancel(run.runId, reason: "booked twice", by: "operator-olga")
        #expect(outcome.status == .cancelled)
        #expect(outcome.events == [.cancelled(RunCancelled(runId: run.runId, reason: "booked twice", cancelledBy: "operator-olga"))])
        let again = try await run.operations.cancel(run.runId, reason: "again", by: "operator-olga")
        #expect(again.events.isEmpty, "cancelling a cancelled run changes nothing")
        await #expect(throws: RunOperationError.notFailed(runId: run.runId, status: .cancelled)) {
            try await run.operations.retry(run.runId, by: "editor-bob")
        }

        let (done, doneNats) = try await Self.start(Self.mailFlow)
        defer { doneNats.close() }
        try await done.decide(.stepSucceeded(stepId: "mail", attempt: 1, output: [:]))
        await #expect(throws: RunOperationError.finished(runId: done.runId, status: .completed)) {
            try await done.operations.cancel(done.runId, reason: "late", by: "operator-olga")
        }
    }

    @Test func givenNoSuchRun_whenOperatedOn_thenNotFound_andAnIdThatIsNoSubjectTokenIsRefusedBeforeNATS() async throws {
        let (designer, nats) = try await FlowDesignerTests.designer()
        defer { nats.close() }
        _ = designer
        let operations = RunOperations(jetStream: nats.jetStream)
        await #expect(throws: RunOperationError.runNotFound("r-nobody")) { try await operations.retry("r-nobody", by: "ada") }
        await #expect(throws: RunOperationError.self) { try await operations.cancel("runs.>", reason: "x", by: "ada") }
        await #expect(throws: RunOperationError.missingActor) { try await operations.cancel("r-nobody", reason: "x", by: " ") }
    }

    @Test func givenARunWaitingForApproval_whenSomeoneElseDecides_thenRefused_andWhenAnApproverDecides_thenTheRunGoesOn() async throws {
        let (run, nats) = try await Self.start(FlowEventExamples.everyKind, data: ["input": ["bookingId": "bk-1", "resourceId": "desk-1"]])
        defer { nats.close() }
        await #expect(throws: RunOperationError.notAnApprover(runId: run.runId, who: "mallory@example.com")) {
            try await run.operations.decideApproval(run.runId, DecideApproval(stepId: "ask", outcome: .approved, decidedBy: "mallory@example.com"))
        }
        await #expect(throws: RunOperationError.notAwaitingApproval(runId: run.runId, stepId: "pause")) {
            try await run.operations.decideApproval(run.runId, DecideApproval(stepId: "pause", outcome: .approved, decidedBy: "facilities@example.com"))
        }
        let outcome = try await run.operations.decideApproval(run.runId, DecideApproval(stepId: "ask", outcome: .approved, decidedBy: "admin-ann",
                                                                                          roles: ["admin"], comment: "go"))
        #expect(outcome.status == .running)
        let scheduled = outcome.events.compactMap { if case .stepScheduled(let s) = $0 { s.stepId } else { nil } }
        #expect(scheduled == ["pause"], "approved: on to the wait")
    }
}
