import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient

extension FlowRuntime {
    /// Appends to a run subject are retried this often when another writer got there first.
    static let appendAttempts = 8

    /// One job message, from fetch to ack. Never throws: every path acks, naks or terms the
    /// message, and a failure to do so leaves it to the server's redelivery.
    func handle(_ message: JetStreamMessage) async {
        let deliveries = Int(message.message.deliveries ?? 1)
        let job: StepJob
        do {
            job = try StepJob.decode(message.message.payload)
        } catch {
            logger.error("unreadable step job dead-lettered", metadata: ["subject": "\(message.subject)", "seq": "\(message.sequence)", "error": "\(error)"])
            await deadLetterUnreadable(message, reason: error.description)
            try? message.term()
            return
        }
        var log = logger
        log[metadataKey: "job"] = "\(job.attemptKey)"
        if let notBefore = job.notBefore, notBefore > Date() {
            // A retry whose backoff has not run out: back to the server until it has.
            let wait = notBefore.timeIntervalSinceNow
            try? message.nak(delay: .milliseconds(Int64(max(1, wait * 1000).rounded(.up))))
            return
        }
        do {
            try await keepingAlive(message) {
                try await process(job, message: message, deliveries: deliveries, log: log)
            }
            // Not waiting for the server's confirmation: a lost ack brings the job again, and
            // its redelivery finds the attempt recorded (`recordStart`) and changes nothing.
            try message.ack()
        } catch is CancellationError {
            // Stopped hard (not gracefully) in the middle: another replica takes the job now.
            try? message.nak()
        } catch {
            // The outcome could not be recorded (NATS down, ...): leave the job to redelivery,
            // which finds the run as far as it got.
            log.error("step job not finished; it will be delivered again", metadata: ["error": "\(error)"])
            try? message.nak(delay: configuration.ackWait)
        }
    }

    func process(_ job: StepJob, message: JetStreamMessage, deliveries: Int, log: Logger) async throws {
        guard let step = job.step else { return }
        // 1. The run must be at this attempt: record that the runtime took it.
        guard let started = try await recordStart(job, deliveries: deliveries, inputs: step.traceInputs(over:), log: log) else { return }

        // 2. Run it, unless the job has been delivered so often that this is the last chance
        //    to record anything (it killed its runtime each time).
        let startedAt = ContinuousClock.now
        let result: Result<StepResult, StepError>
        if deliveries >= configuration.maxDeliver && deliveries > 1 {
            result = .failure(StepError(kind: .internal, message: "the job was delivered \(deliveries) times without an outcome (the runtime stopped during the step each time)"))
        } else {
            let context = StepContext(runId: job.runId, flowId: job.flowId, stepId: job.stepId, attempt: job.attempt,
                                      data: started.state.data, secrets: secrets, timeout: job.timeout)
            result = await execute(step, context: context, timeout: job.timeout, message: message)
        }
        // Cancelled mid-step, the attempt has no outcome to record; the job goes back instead.
        try Task.checkCancellation()
        let elapsed = ContinuousClock.now - startedAt
        let durationMs = (Double(elapsed.components.seconds * 1000) + Double(elapsed.components.attoseconds) / 1e15).rounded()

        // 3. Record the outcome with the run decider's whole decision. Executors redact what
        //    they report; the output passes the secrets filter once more here because it is
        //    the one place every executor's output goes through (the trace's inputs went with
        //    run.step_started).
        let command: RunCommand
        switch result {
        case .success(let stepResult):
            command = .stepSucceeded(stepId: job.stepId, attempt: job.attempt, output: secrets.redact(stepResult.output).asObject)
            log.info("step succeeded", metadata: ["ms": "\(Int(durationMs))"])
        case .failure(let error):
            let redacted = StepError(kind: error.kind, message: secrets.redact(error.message))
            command = .stepFailed(stepId: job.stepId, attempt: job.attempt, error: redacted)
            log.notice("step failed", metadata: ["kind": "\(error.kind.rawValue)", "error": "\(redacted.message)", "ms": "\(Int(durationMs))"])
        }
        let events = try await recordOutcome(job, command, log: log, startingFrom: started) { event in
            event.stampingFinish(stepId: job.stepId, attempt: job.attempt, at: Date(), durationMs: durationMs)
        }

        // 4. What the decision asks of the runtime: the next step's job or the next attempt's
        //    (flow-control's RUNS consumer publishes the same ones, with the same message ids,
        //    so a runtime that stops here loses nothing), or a dead letter.
        for event in events {
            switch event {
            case .stepScheduled(let scheduled) where WorkSubjects.runtimeKinds.contains(scheduled.kind):
                try await publish(StepJob(scheduled: scheduled, flow: job.flow, flowVersion: job.flowVersion))
            case .stepRetryScheduled(let retry):
                try await publish(StepJob(retry: retry, flow: job.flow, flowVersion: job.flowVersion))
            case .failed(let failed):
                if case .stepFailed(_, _, let redacted) = command {
                    try await deadLetter(job, error: redacted, reason: failed.reason, deliveries: deliveries)
                }
            default:
                break
            }
        }
    }

    /// Appends `run.step_started` with the time and the step's inputs as the trace shows them
    /// (or finds it there: a redelivery). Nil when the run is not at this attempt any more, after
    /// repairing a lost retry job, and when the attempt is running already but this message is
    /// on its first delivery: then it is a second copy of the job (published again after the
    /// WORK dedupe window), and the copy that started the attempt runs it, not this one.
    ///
    /// The first try decides on the run as this runtime last wrote it (its previous step's
    /// outcome, usually), so a run's later steps need no read; a stale copy fails its append's
    /// expectation, and anything but an append is decided again on the stored run.
    func recordStart(_ job: StepJob, deliveries: Int, inputs: (FlowValue) -> FlowValue, log: Logger) async throws -> RunLog.Loaded? {
        var useCache = true
        for _ in 0..<Self.appendAttempts {
            let run = try await runs.load(job.runSubject, cached: useCache)
            useCache = false
            let shown = secrets.redact(inputs(run.state.data))
            let decision: RunLog.Decision
            do {
                decision = try await runs.decide(.stepStarted(stepId: job.stepId, attempt: job.attempt), on: run, subject: job.runSubject,
                                                 context: decisionContext(job), idempotencyKey: job.startedKey, metadata: metadata(job)) { event in
                    event.stampingStart(stepId: job.stepId, attempt: job.attempt, at: Date(), inputs: shown)
                }
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
            switch decision {
            case .appended(_, let after):
                return after
            case .duplicate:
                continue
            case .unchanged(let after):
                if run.isCached { continue }
                guard deliveries > 1 else {
                    log.notice("job skipped: a copy of it started this attempt already")
                    return nil
                }
                return after
            case .rejected(let rejection, let after):
                if run.isCached { continue }
                // A later attempt is scheduled: the runtime may have stopped between appending
                // the retry and publishing its job. Publishing it again is idempotent.
                if let progress = after.state.steps[job.stepId], progress.status == .scheduled, progress.attempt > job.attempt,
                   !after.state.isFinished {
                    // With the retry's due time: a repaired job waits out its backoff like the original.
                    try await publish(job.nextAttempt(notBefore: progress.runAt).with(attempt: progress.attempt))
                }
                log.info("job skipped: \(rejection)")
                return nil
            }
        }
        throw EventStoreError.wrongExpectedVersion(subject: job.runSubject, expected: .any, actual: nil)
    }

    /// Appends the decider's events for the attempt's outcome, under the outcome's idempotency
    /// key; returns what was appended ([] when the outcome was recorded already), including what
    /// settling a run cut short took. Tries `startingFrom` (the run as `recordStart` left it)
    /// first, then the stored run.
    func recordOutcome(_ job: StepJob, _ command: RunCommand, log: Logger, startingFrom guess: RunLog.Loaded? = nil,
                       stamp: (RunEvent) -> RunEvent = { $0 }) async throws -> [RunEvent] {
        var guess = guess
        for _ in 0..<Self.appendAttempts {
            let run: RunLog.Loaded
            let guessed = guess != nil
            if let known = guess {
                run = known
                guess = nil
            } else {
                run = try await runs.load(job.runSubject)
            }
            let decision: RunLog.Decision
            do {
                decision = try await runs.decide(command, on: run, subject: job.runSubject, context: decisionContext(job),
                                                 idempotencyKey: job.outcomeKey, metadata: metadata(job), stamp: stamp)
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
            switch decision {
            case .appended(let events, _):
                return events
            case .duplicate:
                // Stored before under this key (a redelivery): read what it left, settle if cut short.
                continue
            case .unchanged:
                if guessed { continue }
                return []
            case .rejected(let rejection, _):
                if guessed { continue }
                // Cancelled meanwhile, or another delivery recorded this attempt first.
                log.info("outcome not recorded: \(rejection)")
                return []
            }
        }
        throw EventStoreError.wrongExpectedVersion(subject: job.runSubject, expected: .any, actual: nil)
    }

    func decisionContext(_ job: StepJob) -> RunDecisionContext {
        RunDecisionContext(flow: job.flow, now: Date(), unitRandom: Double.random(in: 0...1))
    }

    func metadata(_ job: StepJob) -> EventMetadata {
        EventMetadata(correlationId: job.runId, causationId: job.messageId, actor: configuration.actor)
    }

    /// Runs `body` while telling the server, every `heartbeat` (a third of the ack wait), that
    /// the job is in progress: from the first read of the run to the last append, so a slow
    /// append (a busy server) never lets the job go to another replica while this one still
    /// works on it. The first comes after one heartbeat: the ack wait started at delivery, just
    /// now, so a job done sooner (most) sends none.
    func keepingAlive<T>(_ message: JetStreamMessage, _ body: () async throws -> T) async throws -> T {
        let heartbeat = configuration.heartbeat
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: heartbeat) } catch { return }
                    try? message.inProgress()
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Runs the executor under the step's timeout (the job is kept alive by `keepingAlive`).
    func execute(_ step: FlowStep, context: StepContext, timeout: Duration, message: JetStreamMessage) async -> Result<StepResult, StepError> {
        enum Race: Sendable { case finished(Result<StepResult, StepError>), timedOut }
        let executor: any StepExecutor
        do { executor = try executors.executor(for: step.action.kind) } catch { return .failure(error) }
        return await withTaskGroup(of: Race?.self) { group in
            group.addTask {
                do {
                    return .finished(.success(try await executor.execute(step, context: context)))
                } catch let error as StepError {
                    return .finished(.failure(error))
                } catch is CancellationError {
                    return nil
                } catch {
                    return .finished(.failure(StepError(kind: .internal, message: "\(error)")))
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .timedOut
            }
            var outcome: Result<StepResult, StepError> = .failure(StepError(kind: .internal, message: "the step ended without a result"))
            for await race in group {
                guard let race else { continue }
                switch race {
                case .finished(let result): outcome = result
                case .timedOut: outcome = .failure(StepError(kind: .timeout, message: "no result within \(Self.describe(timeout))"))
                }
                group.cancelAll()
                break
            }
            return outcome
        }
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }

    func publish(_ job: StepJob) async throws {
        _ = try await jetStream.publish(job.subject, payload: try job.encoded(), options: PublishOptions(messageId: job.messageId))
    }

    func deadLetter(_ job: StepJob, error: StepError, reason: String, deliveries: Int) async throws {
        let dead = DeadStepJob(job: job, error: error, reason: reason, deliveries: deliveries)
        let headers: NATSHeaders = [DeadStepJob.reasonHeader: reason.replacingOccurrences(of: "\n", with: " ")]
        _ = try await jetStream.publish(WorkSubjects.deadLetter(job.kind), payload: try dead.encoded(), headers: headers,
                                        options: PublishOptions(messageId: job.deadLetterMessageId))
        logger.warning("step job dead-lettered", metadata: ["job": "\(job.attemptKey)", "reason": "\(reason)"])
    }

    /// A message that is no job at all goes to `work.dead.unreadable` as it was.
    func deadLetterUnreadable(_ message: JetStreamMessage, reason: String) async {
        let headers: NATSHeaders = [DeadStepJob.reasonHeader: reason.replacingOccurrences(of: "\n", with: " "), "Almanac-Dead-Subject": message.subject]
        _ = try? await jetStream.publish("work.dead.unreadable", payload: message.message.payload, headers: headers,
                                         options: PublishOptions(messageId: "dead/seq/\(message.sequence)"))
    }
}

extension FlowValue {
    /// An object as it is; anything else as `{"value": ...}` (a step's output is an object).
    var asObject: FlowValue {
        if case .object = self { return self }
        return .object(["value": self])
    }
}

extension StepJob {
    func with(attempt: Int) -> StepJob {
        var job = self
        job.attempt = attempt
        return job
    }
}
