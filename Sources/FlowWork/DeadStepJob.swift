import Flows
import Foundation

/// A job that will not be tried again, on `work.dead.<kind>`: the job, why, and when. The run's
/// subject holds the matching `run.step_failed` (and `run.failed` with the same reason).
public struct DeadStepJob: Codable, Equatable, Sendable {
    public var job: StepJob
    public var error: StepError
    /// The run's failure reason as the decider wrote it, when the run failed.
    public var reason: String
    /// Deliveries of the last attempt's message.
    public var deliveries: Int
    public var deadAt: Date

    public init(job: StepJob, error: StepError, reason: String, deliveries: Int, deadAt: Date = Date()) {
        self.job = job
        self.error = error
        self.reason = reason
        self.deliveries = deliveries
        self.deadAt = deadAt
    }

    public func encoded() throws -> [UInt8] { Array(try StepJobCoding.encoder.encode(self)) }

    public static func decode(_ bytes: [UInt8]) throws -> DeadStepJob {
        try StepJobCoding.decoder.decode(DeadStepJob.self, from: Data(bytes))
    }

    /// Header naming the reason, so `almanac tail` shows it without decoding the body.
    public static let reasonHeader = "Almanac-Dead-Reason"
}
