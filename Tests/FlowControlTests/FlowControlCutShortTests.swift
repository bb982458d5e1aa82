import EventStore
import FlowControl
import FlowWork
import Flows
import Foundation
import Testing

extension FlowControlSuites {
    /// A decision's events go to the run subject one after the other (`RunLog`), so a writer
    /// killed in between leaves a run cut short; flow-control's RUNS consumer settles one that
    /// nobody else comes back to, and the run goes on as if nothing happened.
    @Suite("Flow control: runs cut short between two events", .timeLimit(.minutes(2)))
    struct FlowControlCutShortTests {
        static let flow = FlowDefinition(id: "two-mails", name: "Two mails", trigger: .manual(ManualTrigger()), steps: [
            FlowStep(id: "one", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "One", body: "One"))),
            FlowStep(id: "two", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "Two", body: "Two"))),
        ])

        struct Refused: Error {}

        static func decide(_ command: RunCommand, after events: [RunEvent]) throws -> [RunEvent] {
            guard case .success(let decided) = RunDecider.decide(command, RunState.evolve(RunState(), with: events), RunDecisionContext(flow: flow, now: Date()))
            else { throw Refused() }
            return decided
        }

        @Test func givenAStartCutShortAfterRunStarted_andAnOutcomeCutShortAfterStepSucceeded_thenFlowControlSettlesBothAndTheyComplete() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(Self.flow, on: controls[0])

                    // Run A: its writer stopped after run.started (no step scheduled, no job).
                    let start = try Self.decide(.start(StartRun(runId: "run-cut-start", flowVersion: 1, triggerKey: "cut-start", triggerData: [:])), after: [])
                    let subjectA = WorkSubjects.run(flowId: Self.flow.id, runId: "run-cut-start")
                    _ = try await harness.runs.append([start[0].payload], to: subjectA, expecting: .noStream)

                    // Run B: step one ran; its writer stopped after run.step_succeeded (step two not scheduled).
                    var history = try Self.decide(.start(StartRun(runId: "run-cut-outcome", flowVersion: 1, triggerKey: "cut-outcome", triggerData: [:])), after: [])
                    history += try Self.decide(.stepStarted(stepId: "one", attempt: 1), after: history)
                    let outcome = try Self.decide(.stepSucceeded(stepId: "one", attempt: 1, output: [:]), after: history)
                    #expect(outcome.count == 2)
                    history.append(outcome[0])
                    let subjectB = WorkSubjects.run(flowId: Self.flow.id, runId: "run-cut-outcome")
                    // Stored at once, so the runtime never starts step one (it finds it succeeded).
                    _ = try await harness.runs.append(history.map(\.payload), to: subjectB, expecting: .noStream)

                    for runId in ["run-cut-start", "run-cut-outcome"] {
                        _ = try await harness.waitForRun(of: Self.flow.id) { $0.runId == runId && $0.status == .completed }
                    }
                    #expect(try await harness.runEvents(subjectA).map(\.typeName) == [
                        "started", "step_scheduled", "step_started", "step_succeeded", "step_scheduled", "step_started", "step_succeeded", "completed",
                    ])
                    #expect(try await harness.runEvents(subjectB).map(\.typeName) == [
                        "started", "step_scheduled", "step_started", "step_succeeded", "step_scheduled", "step_started", "step_succeeded", "completed",
                    ])
                    let mails = try await harness.outbox()
                    #expect(mails.filter { $0.runId == "run-cut-start" }.map(\.subject).sorted() == ["One", "Two"])
                    #expect(mails.filter { $0.runId == "run-cut-outcome" }.map(\.subject) == ["Two"], "step one is not run again")
                }
            }
        }
    }
}
