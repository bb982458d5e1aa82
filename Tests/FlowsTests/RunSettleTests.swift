import Flows
import Foundation
import Testing

/// A decision's events are appended one message after the other (not as an atomic batch), so a
/// writer that stops between two leaves a prefix. `RunDecider.settle` must give exactly the rest,
/// and `decide` on such a run must settle it first.
@Suite("Run lifecycle: a decision cut short is settled")
struct RunSettleTests {
    /// Decides `command`, checks that every proper prefix of the decision settles to the rest
    /// and that the whole decision leaves nothing to settle, then appends it.
    static func decideChecked(_ scenario: inout RunScenario, _ command: RunCommand,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> [RunEvent] {
        let context = RunDecisionContext(flow: scenario.flow, now: scenario.now, unitRandom: scenario.unitRandom)
        let before = scenario.state
        let events = try scenario.then(command)
        for cut in 1..<max(1, events.count) {
            let torn = RunState.evolve(before, with: Array(events[..<cut]))
            #expect(torn.unsettled != nil, "after \(cut) of \(events.count) events the run must show it is unsettled", sourceLocation: sourceLocation)
            #expect(RunDecider.settle(torn, context) == Array(events[cut...]), "cut after \(cut) of \(events)", sourceLocation: sourceLocation)
        }
        let after = RunState.evolve(before, with: events)
        #expect(after.unsettled == nil || after.isFinished, "a whole decision leaves the run settled: \(events)", sourceLocation: sourceLocation)
        #expect(RunDecider.settle(after, context).isEmpty, sourceLocation: sourceLocation)
        return events
    }

    static func start(_ data: FlowValue = bookingData) -> RunCommand {
        .start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: data))
    }

    static let approvalFlow = FlowDefinition(id: "approve", name: "Approve", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])), steps: [
        FlowStep(id: "until-start", action: .wait(WaitStep(until: "booking.start - 15m"))),
        FlowStep(id: "ask", action: .approval(ApprovalStep(approvers: ["lead@example.com", "role:admin"], message: "Release {{booking.resourceId}}?",
                                                           decideWithin: "1h", defaultOutcome: .approved, onRejected: "end"))),
        FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow))),
    ])

    @Test("every prefix of a start, an outcome, a failure, a retry from the studio settles to the rest of the decision")
    func mailFlowDecisionsSettle() throws {
        var scenario = RunScenario(flow: deskFlow)
        #expect(try Self.decideChecked(&scenario, Self.start()).count == 3)
        _ = try Self.decideChecked(&scenario, .stepStarted(stepId: "confirm", attempt: 1))
        scenario.unitRandom = 1
        #expect(try Self.decideChecked(&scenario, .stepFailed(stepId: "confirm", attempt: 1, error: StepError(kind: .serverError, message: "503"))).count == 2)
        scenario.unitRandom = 0.2
        #expect(try Self.decideChecked(&scenario, .stepTimedOut(stepId: "confirm", attempt: 2)).count == 2)
        let failed = try Self.decideChecked(&scenario, .stepFailed(stepId: "confirm", attempt: 3, error: StepError(kind: .serverError, message: "503")))
        #expect(scenario.state.status == .failed)
        #expect(failed.count == 2)
        #expect(try Self.decideChecked(&scenario, .retryFromFailedStep(by: "editor@example.com")).count == 2)
        #expect(try Self.decideChecked(&scenario, .stepSucceeded(stepId: "confirm", attempt: 4, output: ["messageId": "m"])).count == 2)
        #expect(scenario.state.status == .completed)

        var room = RunScenario(flow: deskFlow)
        #expect(try Self.decideChecked(&room, Self.start(bookingData.setting("room", at: ["booking", "kind"]))).count == 3)
        #expect(try Self.decideChecked(&room, .cancel(reason: "booking cancelled", by: "system")).count == 1)
    }

    @Test("every prefix of a branch that fails, and of its retry, settles to the rest")
    func failingBranchSettles() throws {
        var flow = deskFlow
        flow.steps[0] = FlowStep(id: "route", action: .branch(BranchStep(cases: [BranchStep.Case(when: "now - booking.start > 1h", next: "release")])))
        var scenario = RunScenario(flow: flow)
        #expect(try Self.decideChecked(&scenario, Self.start(bookingData.setting(42, at: ["booking", "start"]))).count == 2)
        #expect(try Self.decideChecked(&scenario, .retryFromFailedStep(by: "editor@example.com")).count == 2)
        #expect(scenario.state.status == .failed)
    }

    @Test("every prefix of a wait's end, an approval request, a decision and a timed-out approval settles to the rest")
    func waitsAndApprovalsSettle() throws {
        var scenario = RunScenario(flow: Self.approvalFlow)
        _ = try Self.decideChecked(&scenario, Self.start())
        scenario.now = utc("2026-03-10T08:45:00Z")
        #expect(try Self.decideChecked(&scenario, .stepSucceeded(stepId: "until-start", attempt: 1, output: [:])).count == 3)
        var timedOut = scenario
        #expect(try Self.decideChecked(&timedOut, .stepTimedOut(stepId: "ask", attempt: 1)).count == 3)
        #expect(try Self.decideChecked(&scenario, .decideApproval(DecideApproval(stepId: "ask", outcome: .rejected, decidedBy: "carol@example.com",
                                                                                 roles: ["admin"], comment: "late"))).count == 3)
        #expect(scenario.state.status == .completed)
    }

    @Test("given an outcome cut short after step_succeeded, when the runtime reports it again, then the rest is decided (the run completes)")
    func givenCutShortOutcomeWhenReportedAgainThenCompleted() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(Self.start())
        _ = try scenario.then(.stepStarted(stepId: "confirm", attempt: 1))
        scenario.given.append(.stepSucceeded(StepSucceeded(runId: runId, stepId: "confirm", attempt: 1, output: ["messageId": "m"])))
        #expect(scenario.state.unsettled == .advance(afterStepId: "confirm"))
        #expect(scenario.when(.stepSucceeded(stepId: "confirm", attempt: 1, output: ["messageId": "m"])) == .success([.completed(RunCompleted(runId: runId))]))
    }

    @Test("given a start cut short after run.started, when cancelled, then the start is finished first and then cancelled")
    func givenCutShortStartWhenCancelledThenSettledAndCancelled() throws {
        let scenario = RunScenario(flow: deskFlow, given: [started()])
        #expect(scenario.state.unsettled == .start)
        let events = try scenario.when(.cancel(reason: "booking cancelled", by: "system")).get()
        #expect(events == [
            .stepSucceeded(StepSucceeded(runId: runId, stepId: "route", attempt: 1, output: ["next": "confirm", "case": nil])),
            .stepScheduled(StepScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 1, timeoutSeconds: 20)),
            .cancelled(RunCancelled(runId: runId, reason: "booking cancelled", cancelledBy: "system")),
        ])
    }

    @Test("given an approval decision cut short, when someone decides again, then refused: the first decision stands")
    func givenCutShortDecisionWhenDecidedAgainThenRefused() throws {
        var scenario = RunScenario(flow: Self.approvalFlow)
        _ = try scenario.then(Self.start())
        _ = try scenario.then(.stepSucceeded(stepId: "until-start", attempt: 1, output: [:]))
        scenario.given.append(.approvalDecided(ApprovalDecided(runId: runId, stepId: "ask", outcome: .approved, decidedBy: "lead@example.com")))
        #expect(scenario.when(.decideApproval(DecideApproval(stepId: "ask", outcome: .rejected, decidedBy: "lead@example.com")))
                == .failure(.notAwaitingApproval(stepId: "ask")))
        let context = RunDecisionContext(flow: scenario.flow, now: scenario.now)
        #expect(RunDecider.settle(scenario.state, context).last
                == .stepScheduled(StepScheduled(runId: runId, stepId: "release", kind: .bookingCommand, attempt: 1, timeoutSeconds: 30)))
    }
}
