import FlowControl
import Flows
import Foundation
import Testing

extension FlowControlSuites {
    @Suite("Flow control: waits and approval deadlines", .timeLimit(.minutes(3)))
    struct StepTimerTests {
        @Test func givenAWaitStep_whenItsTimeComes_thenTheWaitSucceedsAndTheNextStepRuns() async throws {
            let flow = FlowDefinition(id: "pause-then-mail", name: "Pause, then mail", trigger: .manual(ManualTrigger()),
                                      steps: [FlowStep(id: "pause", action: .wait(WaitStep(duration: "2s"))),
                                              FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "After the pause", body: "Done")))])
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(flow, on: controls[0])
                    _ = try await controls[0].startManualRun(flowId: flow.id, input: [:], actor: ManualActor(id: "edith"))
                    let (subject, state) = try await harness.waitForRun(of: flow.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    let types = try await harness.runEvents(subject).map(\.typeName)
                    #expect(types == ["started", "step_scheduled", "step_succeeded", "step_scheduled", "step_started", "step_succeeded", "completed"])
                    #expect(try await harness.outbox().map(\.subject) == ["After the pause"])
                }
            }
        }

        @Test func givenAnApprovalNobodyDecides_whenItsDeadlinePasses_thenTheDefaultOutcomeIsTaken() async throws {
            let flow = FlowDefinition(id: "approve-or-not", name: "Approval", trigger: .manual(ManualTrigger()),
                                      steps: [FlowStep(id: "ask", action: .approval(ApprovalStep(approvers: ["grace@almanac.example"], message: "OK?",
                                                                                                decideWithin: "2s", defaultOutcome: .rejected,
                                                                                                onApproved: "yes", onRejected: "no"))),
                                              FlowStep(id: "yes", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "Approved", body: "Yes"))),
                                              FlowStep(id: "no", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "Rejected", body: "No")))])
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(flow, on: controls[0])
                    _ = try await controls[0].startManualRun(flowId: flow.id, input: [:], actor: ManualActor(id: "edith"))
                    let (_, state) = try await harness.waitForRun(of: flow.id) { $0.steps["no"]?.status == .succeeded || $0.isFinished }
                    #expect(state.data.value(at: ["steps", "ask", "output", "timedOut"]) == true)
                    #expect(state.data.value(at: ["steps", "ask", "output", "outcome"]) == "rejected")
                    #expect(try await harness.outbox().map(\.subject) == ["Rejected"])
                }
            }
        }
    }
}

