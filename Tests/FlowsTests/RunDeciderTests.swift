import Flows
import Foundation
import Testing

@Suite("Run lifecycle")
struct RunDeciderTests {
    @Test("given a placed desk booking, when the run starts, then the branch is decided at once and the mail step is scheduled with its timeout")
    func givenDeskWhenStartedThenBranchDecidedAndMailScheduled() {
        let scenario = RunScenario(flow: deskFlow)
        let result = scenario.when(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        #expect(result == .success([
            started(),
            .stepSucceeded(StepSucceeded(runId: runId, stepId: "route", attempt: 1, output: ["next": "confirm", "case": nil])),
            .stepScheduled(StepScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 1, timeoutSeconds: 20)),
        ]))
    }

    @Test("given a started run, when it is started again, then it is refused (one run per flow version and trigger)")
    func givenStartedWhenStartedAgainThenRefused() {
        let scenario = RunScenario(flow: deskFlow, given: [started()])
        #expect(scenario.when(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData))) == .failure(.alreadyStarted))
        #expect(RunIdentity.runId(flowId: "desk-flow", flowVersion: 1, triggerKey: "evt-1") == RunIdentity.runId(flowId: "desk-flow", flowVersion: 1, triggerKey: "evt-1"))
        #expect(RunIdentity.runId(flowId: "desk-flow", flowVersion: 1, triggerKey: "evt-1") != RunIdentity.runId(flowId: "desk-flow", flowVersion: 2, triggerKey: "evt-1"))
        #expect(FlowValidator.isToken(RunIdentity.runId(flowId: "desk-flow", flowVersion: 1, triggerKey: "evt-1")))
    }

    @Test("given a scheduled mail, when the runtime starts and completes it, then the run completes and the output is recorded")
    func givenScheduledWhenSucceededThenCompleted() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        #expect(try scenario.then(.stepStarted(stepId: "confirm", attempt: 1)) == [.stepStarted(StepStarted(runId: runId, stepId: "confirm", attempt: 1))])
        let done = try scenario.then(.stepSucceeded(stepId: "confirm", attempt: 1, output: ["messageId": "<run-1.confirm@almanac>"]))
        #expect(done == [
            .stepSucceeded(StepSucceeded(runId: runId, stepId: "confirm", attempt: 1, output: ["messageId": "<run-1.confirm@almanac>"])),
            .completed(RunCompleted(runId: runId)),
        ])
        #expect(scenario.state.status == .completed)
        #expect(scenario.state.data.value(at: ["steps", "confirm", "output", "messageId"]) == "<run-1.confirm@almanac>")
        // A redelivered success changes nothing; a late failure is refused.
        #expect(scenario.when(.stepSucceeded(stepId: "confirm", attempt: 1, output: [:])) == .success([]))
        #expect(scenario.when(.stepFailed(stepId: "confirm", attempt: 1, error: StepError(kind: .network, message: "x"))) == .failure(.finished(.completed)))
    }

    @Test("given a mail that fails with a retryable error, when it fails, then the next attempt is scheduled after the backoff with jitter")
    func givenRetryableWhenFailedThenRetryScheduled() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        scenario.unitRandom = 1 // +50 % jitter on 10 s
        let error = StepError(kind: .serverError, message: "503 Service Unavailable")
        #expect(try scenario.then(.stepFailed(stepId: "confirm", attempt: 1, error: error)) == [
            .stepFailed(StepFailed(runId: runId, stepId: "confirm", attempt: 1, error: error, willRetry: true)),
            .stepRetryScheduled(StepRetryScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 2,
                                                   runAt: scenario.now.addingTimeInterval(15), timeoutSeconds: 20)),
        ])
        scenario.unitRandom = 0 // -50 % on 20 s
        #expect(try scenario.then(.stepTimedOut(stepId: "confirm", attempt: 2)) == [
            .stepFailed(StepFailed(runId: runId, stepId: "confirm", attempt: 2, error: StepError(kind: .timeout, message: "no answer within 20s"), willRetry: true)),
            .stepRetryScheduled(StepRetryScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 3,
                                                   runAt: scenario.now.addingTimeInterval(10), timeoutSeconds: 20)),
        ])
        // The last of three attempts: the run fails with the reason.
        #expect(try scenario.then(.stepFailed(stepId: "confirm", attempt: 3, error: error)) == [
            .stepFailed(StepFailed(runId: runId, stepId: "confirm", attempt: 3, error: error, willRetry: false)),
            .failed(RunFailed(runId: runId, stepId: "confirm", reason: "step 'confirm' failed after 3 attempts: 503 Service Unavailable")),
        ])
        #expect(scenario.state.status == .failed)
        // A report about an old attempt is refused.
        #expect(scenario.when(.stepSucceeded(stepId: "confirm", attempt: 1, output: [:])) == .failure(.finished(.failed)))
    }

    @Test("given a step that fails with a non-retryable error, when it fails, then the run fails at once")
    func givenNonRetryableWhenFailedThenRunFails() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        let error = StepError(kind: .invalidInput, message: "'Ada' is not an email address (expected name@example.com)")
        let events = try scenario.then(.stepFailed(stepId: "confirm", attempt: 1, error: error))
        #expect(events.last == .failed(RunFailed(runId: runId, stepId: "confirm", reason: "step 'confirm' failed after 1 attempt: 'Ada' is not an email address (expected name@example.com)")))
    }

    @Test("given a failed run, when retried from the failed step, then a fresh round starts with the next attempt number")
    func givenFailedWhenRetriedThenFreshRound() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        _ = try scenario.then(.stepFailed(stepId: "confirm", attempt: 1, error: StepError(kind: .clientError, message: "400")))
        #expect(try scenario.then(.retryFromFailedStep(by: "editor@example.com")) == [
            .retried(RunRetried(runId: runId, fromStepId: "confirm", retriedBy: "editor@example.com")),
            .stepScheduled(StepScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 2, timeoutSeconds: 20)),
        ])
        // Attempt 2 is the first of the new round: a retryable failure is retried again.
        let events = try scenario.then(.stepFailed(stepId: "confirm", attempt: 2, error: StepError(kind: .network, message: "reset")))
        #expect(events.count == 2)
        #expect(scenario.state.status == .running)
        #expect(RunScenario(flow: deskFlow, given: [started()]).when(.retryFromFailedStep(by: "x")) == .failure(.notFailed))
    }

    @Test("given a running run, when cancelled, then it is cancelled and later reports are refused; cancelling twice changes nothing")
    func givenRunningWhenCancelledThenCancelled() throws {
        var scenario = RunScenario(flow: deskFlow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        #expect(try scenario.then(.cancel(reason: "booking cancelled", by: "flow-control")) == [
            .cancelled(RunCancelled(runId: runId, reason: "booking cancelled", cancelledBy: "flow-control")),
        ])
        #expect(scenario.when(.cancel(reason: "again", by: "x")) == .success([]))
        #expect(scenario.when(.stepStarted(stepId: "confirm", attempt: 1)) == .failure(.finished(.cancelled)))
    }

    @Test("given a room booking, when the run starts, then the branch goes to the release step")
    func givenRoomWhenStartedThenRelease() throws {
        let data = bookingData.setting("room", at: ["booking", "kind"])
        let events = try RunScenario(flow: deskFlow).when(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: data))).get()
        #expect(events.last == .stepScheduled(StepScheduled(runId: runId, stepId: "release", kind: .bookingCommand, attempt: 1, timeoutSeconds: 30)))
        #expect(events.dropFirst().first == .stepSucceeded(StepSucceeded(runId: runId, stepId: "route", attempt: 1, output: ["next": "release", "case": 1])))
    }

    @Test("given a branch whose condition cannot be evaluated, when the run gets there, then it fails with the condition and the reason")
    func givenBadConditionThenRunFails() throws {
        let data = bookingData.setting("room", at: ["booking", "kind"]).setting("many", at: ["booking", "attendees"])
        var flow = deskFlow
        flow.steps[0] = FlowStep(id: "route", action: .branch(BranchStep(cases: [BranchStep.Case(when: "booking.attendees > 3", next: "release")])))
        let events = try RunScenario(flow: flow).when(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: data))).get()
        #expect(events.last == .failed(RunFailed(runId: runId, stepId: "route",
                                                 reason: "condition of case 1 of step 'route' (booking.attendees > 3) failed: cannot compare text with a number using >")))
    }
}

@Suite("Run lifecycle: waits and approvals")
struct RunWaitAndApprovalTests {
    let flow = FlowDefinition(id: "approve", name: "Approve", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])), steps: [
        FlowStep(id: "until-start", action: .wait(WaitStep(until: "booking.start - 15m"))),
        FlowStep(id: "ask", action: .approval(ApprovalStep(approvers: ["lead@example.com", "role:admin"], message: "Release {{booking.resourceId}}?",
                                                           decideWithin: "1h", defaultOutcome: .approved, onRejected: "end"))),
        FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow))),
    ])

    func startedRun() throws -> RunScenario {
        var scenario = RunScenario(flow: flow)
        _ = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        return scenario
    }

    @Test("given a wait until 15 minutes before start, when the run starts, then the wait is due then; when its timer fires, then approval is requested")
    func givenWaitThenDueTimeAndApprovalRequested() throws {
        var scenario = try startedRun()
        #expect(scenario.given.last == .stepScheduled(StepScheduled(runId: runId, stepId: "until-start", kind: .wait, attempt: 1,
                                                                    runAt: utc("2026-03-10T08:45:00Z"), timeoutSeconds: 0)))
        scenario.now = utc("2026-03-10T08:45:00Z")
        let events = try scenario.then(.stepSucceeded(stepId: "until-start", attempt: 1, output: [:]))
        #expect(events.suffix(2) == [
            .stepScheduled(StepScheduled(runId: runId, stepId: "ask", kind: .approval, attempt: 1, runAt: utc("2026-03-10T09:45:00Z"), timeoutSeconds: 3600)),
            .approvalRequested(ApprovalRequested(runId: runId, stepId: "ask", approvers: ["lead@example.com", "role:admin"], message: "Release desk-1?",
                                                 deadline: utc("2026-03-10T09:45:00Z"), defaultOutcome: .approved)),
        ])
    }

    @Test("given an approval request, when someone who is not an approver decides, then refused; when an admin rejects, then the run ends")
    func givenApprovalWhenRejectedThenEnds() throws {
        var scenario = try startedRun()
        _ = try scenario.then(.stepSucceeded(stepId: "until-start", attempt: 1, output: [:]))
        #expect(scenario.when(.decideApproval(DecideApproval(stepId: "ask", outcome: .approved, decidedBy: "bob@example.com")))
                == .failure(.notAnApprover("bob@example.com")))
        let events = try scenario.then(.decideApproval(DecideApproval(stepId: "ask", outcome: .rejected, decidedBy: "carol@example.com", roles: ["admin"], comment: "she is late")))
        #expect(events == [
            .approvalDecided(ApprovalDecided(runId: runId, stepId: "ask", outcome: .rejected, decidedBy: "carol@example.com", comment: "she is late")),
            .stepSucceeded(StepSucceeded(runId: runId, stepId: "ask", attempt: 1,
                                         output: ["outcome": "rejected", "timedOut": false, "decidedBy": "carol@example.com", "comment": "she is late"])),
            .completed(RunCompleted(runId: runId)),
        ])
    }

    @Test("given an approval request, when nobody decides in time, then the default outcome applies and the run goes on")
    func givenApprovalWhenTimedOutThenDefault() throws {
        var scenario = try startedRun()
        _ = try scenario.then(.stepSucceeded(stepId: "until-start", attempt: 1, output: [:]))
        let events = try scenario.then(.stepTimedOut(stepId: "ask", attempt: 1))
        #expect(events.first == .approvalDecided(ApprovalDecided(runId: runId, stepId: "ask", outcome: .approved, timedOut: true)))
        #expect(events.last == .stepScheduled(StepScheduled(runId: runId, stepId: "release", kind: .bookingCommand, attempt: 1, timeoutSeconds: 30)))
        #expect(scenario.when(.decideApproval(DecideApproval(stepId: "ask", outcome: .rejected, decidedBy: "lead@example.com")))
                == .failure(.notAwaitingApproval(stepId: "ask")))
    }

    @Test("given a wait whose time has passed, when scheduled, then it is due at once")
    func givenPastWaitThenDueNow() throws {
        var scenario = RunScenario(flow: flow)
        scenario.now = utc("2026-03-10T10:00:00Z")
        let events = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: bookingData)))
        #expect(events.last == .stepScheduled(StepScheduled(runId: runId, stepId: "until-start", kind: .wait, attempt: 1, runAt: scenario.now, timeoutSeconds: 0)))
    }
}

@Suite("Run lifecycle: retrying a failed branch")
struct RunRetryBranchTests {
    @Test("given a run failed on a branch condition, when retried after the data is fixed, then the branch is evaluated again instead of becoming a job")
    func givenFailedBranchWhenRetriedThenEvaluatedAgain() throws {
        var flow = deskFlow
        flow.steps[0] = FlowStep(id: "route", action: .branch(BranchStep(cases: [BranchStep.Case(when: "now - booking.start > 1h", next: "release")])))
        let broken = bookingData.setting(42, at: ["booking", "start"])
        var scenario = RunScenario(flow: flow)
        let events = try scenario.then(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: "evt-1", triggerData: broken)))
        #expect(scenario.state.status == .failed)
        #expect(events.count == 2)
        let retried = try scenario.then(.retryFromFailedStep(by: "editor@example.com"))
        // The data is still broken, so the branch fails again; no job was scheduled for it.
        #expect(retried.first == .retried(RunRetried(runId: runId, fromStepId: "route", retriedBy: "editor@example.com")))
        #expect(!retried.contains { if case .stepScheduled = $0 { true } else { false } })
        #expect(scenario.state.status == .failed)
    }
}
