import Foundation

/// What a run decision needs besides the run's state: the flow version the run is pinned to,
/// the time, and a random number for retry jitter (passed in, so decisions are repeatable).
public struct RunDecisionContext: Sendable {
    public var flow: FlowDefinition
    public var now: Date
    /// 0 ... 1; 0.5 is no jitter.
    public var unitRandom: Double

    public init(flow: FlowDefinition, now: Date, unitRandom: Double = 0.5) {
        self.flow = flow
        self.now = now
        self.unitRandom = unitRandom
    }
}

/// The run lifecycle: `decide(command, state, context)` gives the events to append to the run's
/// subject (at the sequence the state was loaded from) or a typed rejection; after every step
/// event it also decides what comes next (branches are evaluated here, waits and approvals get
/// their due times), so flow-control only appends and turns `runAt`s into timers.
public enum RunDecider {
    /// Default per-attempt timeouts when a step names none.
    public static func defaultTimeout(for kind: StepKind) -> FlowDuration {
        switch kind {
        case .sendEmail, .httpRequest: .minutes(1)
        case .bookingCommand, .publishEvent: FlowDuration(seconds: 30)
        case .branch, .wait, .approval: FlowDuration(seconds: 0)
        }
    }

    /// Decides `command` on the run. A run left unsettled (its last append was cut short, see
    /// `RunState.unsettled`) is settled first: the events start with what `settle` owes.
    public static func decide(_ command: RunCommand, _ state: RunState, _ context: RunDecisionContext) -> Result<[RunEvent], RunRejection> {
        if case .start(let start) = command { return self.start(start, state, context) }
        let settling = settle(state, context)
        guard !settling.isEmpty else { return decideSettled(command, state, context) }
        return decideSettled(command, RunState.evolve(state, with: settling), context).map { settling + $0 }
    }

    /// What the decision that appended the run's last event still owed, when it was cut short
    /// (`RunState.unsettled`): the same events that decision would have appended after it
    /// (times and jitter taken from `context`). Empty for a settled or finished run. For every
    /// decision `d` and every `k` from 1 to `d.count - 1`,
    /// `settle(evolve(state, d[..<k])) == d[k...]` (tested), so a writer can append a decision
    /// one event after the other and whoever finds it cut short completes it.
    public static func settle(_ state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        guard let unsettled = state.unsettled, !state.isFinished, state.status != .notStarted else { return [] }
        switch unsettled {
        case .start:
            guard let first = context.flow.steps.first else {
                return [.failed(RunFailed(runId: state.runId, stepId: nil, reason: "flow '\(context.flow.id)' has no steps"))]
            }
            return enter(first.id, state: state, context)
        case .enter(let stepId):
            return enter(stepId, state: state, context)
        case .advance(let stepId):
            guard let step = context.flow.step(stepId) else {
                return [.failed(RunFailed(runId: state.runId, stepId: stepId, reason: "the flow has no step '\(stepId)'"))]
            }
            if case .branch = step.action {
                // A branch recorded the step it chose as its output.
                guard case .string(let next) = state.data.value(at: ["steps", stepId, "output", "next"]) else {
                    return [.failed(RunFailed(runId: state.runId, stepId: stepId, reason: "branch '\(stepId)' recorded no next step"))]
                }
                return enter(next, state: state, context)
            }
            return advance(after: step, state: state, context)
        case .requestApproval(let stepId):
            guard let step = context.flow.step(stepId), case .approval(let approval) = step.action,
                  let progress = state.steps[stepId], progress.status == .scheduled else { return [] }
            let within = (try? FlowDuration(parsing: approval.decideWithin)) ?? FlowDuration.hours(24)
            let deadline = progress.runAt ?? context.now.addingTimeInterval(within.timeInterval)
            let message = (try? FlowTemplate(approval.message).render(state.data)) ?? approval.message
            return [.approvalRequested(ApprovalRequested(runId: state.runId, stepId: stepId, approvers: approval.approvers, message: message,
                                                         deadline: deadline, defaultOutcome: approval.defaultOutcome))]
        case .failure(let failed):
            guard let step = context.flow.step(failed.stepId), let progress = state.steps[failed.stepId] else {
                return [.failed(RunFailed(runId: state.runId, stepId: failed.stepId, reason: "the flow has no step '\(failed.stepId)'"))]
            }
            return afterFailure(failed, step: step, roundStart: progress.roundStart, state: state, context)
        case .decided(let decision):
            guard let step = context.flow.step(decision.stepId) else {
                return [.failed(RunFailed(runId: state.runId, stepId: decision.stepId, reason: "the flow has no step '\(decision.stepId)'"))]
            }
            let succeeded = RunEvent.stepSucceeded(StepSucceeded(runId: state.runId, stepId: step.id, attempt: state.steps[step.id]?.attempt ?? 1,
                                                                 output: approvalOutput(decision)))
            return [succeeded] + advance(after: step, state: RunState.evolve(state, succeeded), context)
        }
    }

    static func decideSettled(_ command: RunCommand, _ state: RunState, _ context: RunDecisionContext) -> Result<[RunEvent], RunRejection> {
        guard state.status != .notStarted else { return .failure(.notStarted) }
        switch command {
        case .start:
            preconditionFailure("handled above")
        case .cancel(let reason, let by):
            if state.status == .cancelled { return .success([]) }
            guard !state.isFinished else { return .failure(.finished(state.status)) }
            return .success([.cancelled(RunCancelled(runId: state.runId, reason: reason, cancelledBy: by))])
        case .retryFromFailedStep(let by):
            guard state.status == .failed, let stepId = state.currentStepId, context.flow.step(stepId) != nil else { return .failure(.notFailed) }
            var events: [RunEvent] = [.retried(RunRetried(runId: state.runId, fromStepId: stepId, retriedBy: by))]
            // Entered afresh: a branch whose condition failed is evaluated again, anything else is
            // scheduled with the next attempt number.
            events += enter(stepId, state: RunState.evolve(state, with: events), context)
            return .success(events)
        default:
            break
        }
        guard !state.isFinished else {
            // A late report of the very attempt that already succeeded is a redelivery: nothing to do.
            if case .stepSucceeded(let stepId, let attempt, _) = command, state.steps[stepId]?.status == .succeeded, state.steps[stepId]?.attempt == attempt {
                return .success([])
            }
            return .failure(.finished(state.status))
        }
        switch command {
        case .stepStarted(let stepId, let attempt):
            guard let progress = state.steps[stepId], progress.attempt == attempt, progress.status == .scheduled else {
                if state.steps[stepId]?.attempt == attempt, state.steps[stepId]?.status == .running { return .success([]) }
                return .failure(.notCurrent(stepId: stepId, attempt: attempt))
            }
            return .success([.stepStarted(StepStarted(runId: state.runId, stepId: stepId, attempt: attempt))])
        case .stepSucceeded(let stepId, let attempt, let output):
            guard let progress = state.steps[stepId], progress.attempt == attempt else { return .failure(.notCurrent(stepId: stepId, attempt: attempt)) }
            if progress.status == .succeeded { return .success([]) }
            guard progress.status == .scheduled || progress.status == .running else { return .failure(.notCurrent(stepId: stepId, attempt: attempt)) }
            guard let step = context.flow.step(stepId) else { return .failure(.unknownStep(stepId)) }
            let succeeded = RunEvent.stepSucceeded(StepSucceeded(runId: state.runId, stepId: stepId, attempt: attempt, output: output))
            return .success([succeeded] + advance(after: step, state: RunState.evolve(state, succeeded), context))
        case .stepFailed(let stepId, let attempt, let error):
            return fail(stepId, attempt, error, state, context)
        case .stepTimedOut(let stepId, let attempt):
            guard let step = context.flow.step(stepId) else { return .failure(.unknownStep(stepId)) }
            if case .approval(let approval) = step.action {
                guard state.steps[stepId]?.status == .awaitingApproval, state.steps[stepId]?.attempt == attempt else {
                    return .failure(.notAwaitingApproval(stepId: stepId))
                }
                return .success(decided(step, approval.defaultOutcome, by: nil, comment: nil, timedOut: true, state, context))
            }
            let timeout = step.timeout.flatMap { try? FlowDuration(parsing: $0) } ?? defaultTimeout(for: step.action.kind)
            return fail(stepId, attempt, StepError(kind: .timeout, message: "no answer within \(timeout)"), state, context)
        case .decideApproval(let decision):
            guard let step = context.flow.step(decision.stepId), case .approval(let approval) = step.action,
                  state.steps[decision.stepId]?.status == .awaitingApproval else {
                return .failure(.notAwaitingApproval(stepId: decision.stepId))
            }
            let allowed = approval.approvers.contains { approver in
                approver.hasPrefix("role:") ? decision.roles.contains(String(approver.dropFirst(5)))
                    : approver.caseInsensitiveCompare(decision.decidedBy) == .orderedSame
            }
            guard allowed else { return .failure(.notAnApprover(decision.decidedBy)) }
            return .success(decided(step, decision.outcome, by: decision.decidedBy, comment: decision.comment, timedOut: false, state, context))
        case .start, .cancel, .retryFromFailedStep:
            preconditionFailure("handled above")
        }
    }

    static func start(_ command: StartRun, _ state: RunState, _ context: RunDecisionContext) -> Result<[RunEvent], RunRejection> {
        guard state.status == .notStarted else { return .failure(.alreadyStarted) }
        guard FlowValidator.isToken(command.runId) else { return .failure(.invalidInput("run id '\(command.runId)' is not a subject token")) }
        guard let first = context.flow.steps.first else { return .failure(.invalidInput("flow '\(context.flow.id)' has no steps")) }
        var data = command.triggerData
        data = data.setting(.string(context.flow.id), at: ["flow", "id"])
            .setting(.string(context.flow.name), at: ["flow", "name"])
            .setting(.number(Double(command.flowVersion)), at: ["flow", "version"])
            .setting(.string(command.runId), at: ["run", "id"])
        let started = RunEvent.started(RunStarted(runId: command.runId, flowId: context.flow.id, flowVersion: command.flowVersion,
                                                  triggerKey: command.triggerKey, triggerType: context.flow.trigger.type, data: data))
        let after = RunState.evolve(RunState(), started)
        return .success([started] + enter(first.id, state: after, context))
    }

    /// A failed attempt: another one after the backoff, or the run fails with the reason.
    static func fail(_ stepId: String, _ attempt: Int, _ error: StepError, _ state: RunState, _ context: RunDecisionContext) -> Result<[RunEvent], RunRejection> {
        guard let progress = state.steps[stepId], progress.attempt == attempt, progress.status == .scheduled || progress.status == .running else {
            return .failure(.notCurrent(stepId: stepId, attempt: attempt))
        }
        guard let step = context.flow.step(stepId) else { return .failure(.unknownStep(stepId)) }
        let policy = step.retry ?? .standard
        let attemptInRound = attempt - progress.roundStart + 1
        let willRetry = policy.retries(error.kind, afterAttempt: attemptInRound)
        let failed = StepFailed(runId: state.runId, stepId: stepId, attempt: attempt, error: error, willRetry: willRetry)
        return .success([.stepFailed(failed)] + afterFailure(failed, step: step, roundStart: progress.roundStart, state: state, context))
    }

    /// After a failed attempt: the retry after the backoff, or the run fails with the reason.
    static func afterFailure(_ failed: StepFailed, step: FlowStep, roundStart: Int, state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        let attemptInRound = failed.attempt - roundStart + 1
        if failed.willRetry {
            let delay = (step.retry ?? .standard).delay(afterAttempt: attemptInRound, unitRandom: context.unitRandom)
            return [.stepRetryScheduled(StepRetryScheduled(runId: state.runId, stepId: step.id, kind: step.action.kind, attempt: failed.attempt + 1,
                                                           runAt: context.now.addingTimeInterval(delay.timeInterval),
                                                           timeoutSeconds: timeout(of: step).seconds))]
        }
        let tries = attemptInRound == 1 ? "1 attempt" : "\(attemptInRound) attempts"
        return [.failed(RunFailed(runId: state.runId, stepId: step.id, reason: "step '\(step.id)' failed after \(tries): \(failed.error.message)"))]
    }

    static func decided(_ step: FlowStep, _ outcome: ApprovalStep.Outcome, by: String?, comment: String?, timedOut: Bool,
                        _ state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        let attempt = state.steps[step.id]?.attempt ?? 1
        let decision = ApprovalDecided(runId: state.runId, stepId: step.id, outcome: outcome, decidedBy: by, comment: comment, timedOut: timedOut)
        let events: [RunEvent] = [
            .approvalDecided(decision),
            .stepSucceeded(StepSucceeded(runId: state.runId, stepId: step.id, attempt: attempt, output: approvalOutput(decision))),
        ]
        return events + advance(after: step, state: RunState.evolve(state, with: events), context)
    }

    /// An approval step's output: the outcome, whether the deadline decided it, who and why.
    static func approvalOutput(_ decision: ApprovalDecided) -> FlowValue {
        var output: [String: FlowValue] = ["outcome": .string(decision.outcome.rawValue), "timedOut": .bool(decision.timedOut)]
        if let by = decision.decidedBy { output["decidedBy"] = .string(by) }
        if let comment = decision.comment { output["comment"] = .string(comment) }
        return .object(output)
    }

    /// After `step` succeeded: the step it leads to, given its output.
    static func advance(after step: FlowStep, state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        let target: String
        if case .approval(let approval) = step.action {
            let approved = state.data.value(at: ["steps", step.id, "output", "outcome"]) == .string(ApprovalStep.Outcome.approved.rawValue)
            target = (approved ? approval.onApproved : approval.onRejected) ?? step.next ?? context.flow.next(after: step.id) ?? FlowStep.end
        } else {
            target = context.flow.next(after: step.id) ?? FlowStep.end
        }
        return enter(target, state: state, context)
    }

    /// Enters `target`: completes the run at `end`, resolves branches at once (as many as follow
    /// each other), schedules anything else.
    static func enter(_ target: String, state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        var events: [RunEvent] = []
        var state = state
        var target = target
        // Validation forbids loops without a pause, so this ends; the bound guards unvalidated input.
        for _ in 0...context.flow.steps.count {
            if target == FlowStep.end {
                return events + [.completed(RunCompleted(runId: state.runId))]
            }
            guard let step = context.flow.step(target) else {
                return events + [.failed(RunFailed(runId: state.runId, stepId: nil, reason: "the flow has no step '\(target)'"))]
            }
            guard case .branch(let branch) = step.action else {
                let attempt = (state.steps[step.id]?.attempt ?? 0) + 1
                return events + schedule(step, attempt: attempt, state: state, context)
            }
            var chosen: String?
            var matchedCase: Int?
            for (index, branchCase) in branch.cases.enumerated() {
                do {
                    if try FlowExpression(parsing: branchCase.when).isTrue(over: state.data, now: context.now) {
                        chosen = branchCase.next
                        matchedCase = index
                        break
                    }
                } catch {
                    return events + [.failed(RunFailed(runId: state.runId, stepId: step.id,
                                                       reason: "condition of case \(index + 1) of step '\(step.id)' (\(branchCase.when)) failed: \(error)"))]
                }
            }
            let next = chosen ?? branch.otherwise ?? context.flow.next(after: step.id) ?? FlowStep.end
            let attempt = (state.steps[step.id]?.attempt ?? 0) + 1
            let output: FlowValue = .object(["next": .string(next), "case": matchedCase.map { .number(Double($0 + 1)) } ?? .null])
            let succeeded = RunEvent.stepSucceeded(StepSucceeded(runId: state.runId, stepId: step.id, attempt: attempt, output: output))
            events.append(succeeded)
            state = RunState.evolve(state, succeeded)
            target = next
        }
        return events + [.failed(RunFailed(runId: state.runId, stepId: nil, reason: "branches loop without reaching a step that does work"))]
    }

    /// Schedules `step`: a job now, a wait until its time, or an approval request until its deadline.
    static func schedule(_ step: FlowStep, attempt: Int, state: RunState, _ context: RunDecisionContext) -> [RunEvent] {
        let kind = step.action.kind
        switch step.action {
        case .wait(let wait):
            var runAt = context.now
            do {
                if let duration = wait.duration {
                    runAt = context.now.addingTimeInterval(try FlowDuration(parsing: duration).timeInterval)
                } else if let until = wait.until {
                    let value = try FlowExpression(parsing: until).evaluate(over: state.data, now: context.now)
                    guard let time = value.asTime else {
                        return [.failed(RunFailed(runId: state.runId, stepId: step.id, reason: "wait 'until' of step '\(step.id)' gave \(value.kindName), not a time"))]
                    }
                    runAt = max(time, context.now)
                }
            } catch {
                return [.failed(RunFailed(runId: state.runId, stepId: step.id, reason: "wait of step '\(step.id)' cannot be computed: \(error)"))]
            }
            return [.stepScheduled(StepScheduled(runId: state.runId, stepId: step.id, kind: kind, attempt: attempt, runAt: runAt, timeoutSeconds: 0))]
        case .approval(let approval):
            let within = (try? FlowDuration(parsing: approval.decideWithin)) ?? FlowDuration.hours(24)
            let deadline = context.now.addingTimeInterval(within.timeInterval)
            let message = (try? FlowTemplate(approval.message).render(state.data)) ?? approval.message
            return [
                .stepScheduled(StepScheduled(runId: state.runId, stepId: step.id, kind: kind, attempt: attempt, runAt: deadline, timeoutSeconds: within.seconds)),
                .approvalRequested(ApprovalRequested(runId: state.runId, stepId: step.id, approvers: approval.approvers, message: message,
                                                     deadline: deadline, defaultOutcome: approval.defaultOutcome)),
            ]
        default:
            return [.stepScheduled(StepScheduled(runId: state.runId, stepId: step.id, kind: kind, attempt: attempt, timeoutSeconds: timeout(of: step).seconds))]
        }
    }

    static func timeout(of step: FlowStep) -> FlowDuration {
        step.timeout.flatMap { try? FlowDuration(parsing: $0) } ?? defaultTimeout(for: step.action.kind)
    }
}
