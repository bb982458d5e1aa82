import Flows
import Foundation

// The job contract between flow-control (producer) and flow-runtime (consumer).
//
// Subjects (stream WORK, work-queue retention):
//   work.<kind>          one job per message, `kind` a runtime step kind (send_email,
//                        http_request, booking_command, publish_event). The runtime's durable
//                        consumer filters `work.*`, so nothing else under `work.` is consumed.
//   work.dead.<kind>     dead letters (`DeadStepJob`): kept in WORK until an operator consumes
//                        them, never taken by the runtime.
//
// Message ids (Nats-Msg-Id) make every publish and append idempotent within the 2 min window:
//   job in WORK          `job/<runId>/<stepId>/<attempt>`       (`StepJob.messageId`)
//   StepStarted in RUNS  `<runId>/<stepId>/<attempt>/started/0` (`StepJob.startedKey` + `/0`)
//   outcome in RUNS      `<runId>/<stepId>/<attempt>/<n>`       (`StepJob.outcomeKey`, the event
//                        store's idempotency key: StepSucceeded or StepFailed first, then what
//                        the run decider adds, numbered from 0)
//   settling in RUNS     `settle/<runId>/<seq>/<n>`             (what a decision cut short after
//                        sequence `seq` still owed, see `RunLog`)
//   dead letter          `dead/<runId>/<stepId>/<attempt>`
//
// A decision's events are appended one message after the other, each expecting the one before
// (`RunLog`, `EventStore.appendOneByOne`), not as an atomic batch; a run cut short in between is
// settled by the next writer or by flow-control's RUNS consumer.
//
// Who publishes jobs: whoever appended the `run.step_scheduled` of a runtime step kind, at once
// (flow-control for a start, a timer or a retry from the studio; the runtime for the step after
// the one it ran), and flow-control's RUNS consumer for every one of them as the safety net
// (no message schedule: a job with a later start carries `notBefore` and waits in WORK).
// The runtime appends the whole decision of `RunDecider` after an attempt (outcome plus the next
// `run.step_scheduled`, `run.completed` or `run.failed`) and itself publishes the next job, or
// the next attempt's after a `run.step_retry_scheduled`, with `notBefore` = the retry's `runAt`
// (it naks a job that arrives early with the remaining delay). The message id keeps a job once
// within the dedupe window; a copy that arrives later finds the attempt running and is skipped
// unless it is itself a redelivery (`FlowRuntime.recordStart`).
//
// The job carries the pinned flow version whole, so the runtime decides with the very
// definition the run started with, and reads the run's data (to render the step's templates)
// from the run's subject, which it must read anyway to append with an expected sequence.

/// One attempt of one step of one run, as JSON in a `work.<kind>` message.
public struct StepJob: Codable, Equatable, Sendable {
    /// Current shape of the JSON; a runtime refuses (dead-letters) a newer one.
    public static let currentFormat = 1

    public var format: Int
    public var runId: String
    public var flowId: String
    public var flowVersion: Int
    public var stepId: String
    /// Counted over the whole run from 1 (`StepScheduled.attempt`).
    public var attempt: Int
    public var kind: StepKind
    /// The flow version the run is pinned to; `flow.step(stepId)` is the step to run.
    public var flow: FlowDefinition
    /// Time one attempt may take (`StepScheduled.timeoutSeconds`).
    public var timeoutSeconds: Int
    /// Absent: at once. A retry's backoff ends here.
    public var notBefore: Date?

    public init(runId: String, flowId: String, flowVersion: Int, stepId: String, attempt: Int, kind: StepKind,
                flow: FlowDefinition, timeoutSeconds: Int, notBefore: Date? = nil) {
        self.format = Self.currentFormat
        self.runId = runId
        self.flowId = flowId
        self.flowVersion = flowVersion
        self.stepId = stepId
        self.attempt = attempt
        self.kind = kind
        self.flow = flow
        self.timeoutSeconds = timeoutSeconds
        self.notBefore = notBefore
    }

    /// The job for a `run.step_scheduled` or `run.step_retry_scheduled` of `flow`.
    public init(scheduled: StepScheduled, flow: FlowDefinition, flowVersion: Int) {
        self.init(runId: scheduled.runId, flowId: flow.id, flowVersion: flowVersion, stepId: scheduled.stepId, attempt: scheduled.attempt,
                  kind: scheduled.kind, flow: flow, timeoutSeconds: scheduled.timeoutSeconds, notBefore: scheduled.runAt)
    }

    public init(retry: StepRetryScheduled, flow: FlowDefinition, flowVersion: Int) {
        self.init(runId: retry.runId, flowId: flow.id, flowVersion: flowVersion, stepId: retry.stepId, attempt: retry.attempt,
                  kind: retry.kind, flow: flow, timeoutSeconds: retry.timeoutSeconds, notBefore: retry.runAt)
    }

    /// The step this job runs, from the pinned definition.
    public var step: FlowStep? { flow.step(stepId) }
    /// The step's retry policy (the decider uses the same default).
    public var retryPolicy: RetryPolicy { step?.retry ?? .standard }
    public var timeout: Duration { .seconds(max(1, timeoutSeconds)) }

    public var subject: String { WorkSubjects.job(kind) }
    public var runSubject: String { WorkSubjects.run(flowId: flowId, runId: runId) }
    /// `<runId>/<stepId>/<attempt>`: the architecture's identity of an attempt's outcome.
    public var attemptKey: String { "\(runId)/\(stepId)/\(attempt)" }
    public var messageId: String { "job/\(attemptKey)" }
    public var startedKey: String { "\(attemptKey)/started" }
    public var outcomeKey: String { attemptKey }
    public var deadLetterMessageId: String { "dead/\(attemptKey)" }

    /// The same job one attempt later.
    public func nextAttempt(notBefore: Date?) -> StepJob {
        var next = self
        next.attempt += 1
        next.notBefore = notBefore
        return next
    }
}

extension StepJob {
    /// Sorted keys and RFC 3339 dates with milliseconds: the same job always gives the same bytes.
    public func encoded() throws -> [UInt8] { Array(try StepJobCoding.encoder.encode(self)) }

    /// Reads a job, refusing what this build cannot run with a reason a person understands.
    public static func decode(_ bytes: [UInt8]) throws(StepJobError) -> StepJob {
        let job: StepJob
        do {
            job = try StepJobCoding.decoder.decode(StepJob.self, from: Data(bytes))
        } catch {
            throw .malformed("the job is not a step job: \(error)")
        }
        guard job.format <= currentFormat else { throw .malformed("job format \(job.format) is newer than this runtime reads (\(currentFormat))") }
        for (what, value) in [("run id", job.runId), ("flow id", job.flowId), ("step id", job.stepId)] where !FlowValidator.isToken(value) {
            throw .malformed("\(what) '\(value)' is not a subject token")
        }
        guard job.attempt >= 1 else { throw .malformed("attempt \(job.attempt) is not 1 or more") }
        guard let step = job.step else { throw .malformed("flow '\(job.flowId)' v\(job.flowVersion) has no step '\(job.stepId)'") }
        guard step.action.kind == job.kind else { throw .malformed("step '\(job.stepId)' is a \(step.action.kind.rawValue) step, not \(job.kind.rawValue)") }
        guard WorkSubjects.runtimeKinds.contains(job.kind) else { throw .malformed("\(job.kind.rawValue) steps are not run by the runtime") }
        return job
    }
}

/// A job the runtime cannot read at all.
public enum StepJobError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed step job: \(why)"
        }
    }
}

enum StepJobCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Milliseconds kept: whole seconds would move a retry's `notBefore` up to a second
        // earlier than its backoff allows.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        // RFC 3339 with or without fractions (jobs written before milliseconds were kept).
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = FlowTime.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }()
}
