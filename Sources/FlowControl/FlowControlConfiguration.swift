import Foundation

/// How flow-control consumes its streams. Defaults suit production; tests shorten the waits.
public struct FlowControlConfiguration: Sendable {
    /// Durable consumers shared by every replica (each message goes to one of them).
    public var bookingsConsumer = "flow-control-bookings"
    public var runsConsumer = "flow-control-runs"
    public var timersConsumer = "flow-control-timers"
    /// Time a message may stay unacknowledged before another replica gets it.
    public var ackWait: Duration = .seconds(30)
    /// Deliveries of one message before it is given up (logged, terminated).
    public var maxDeliver = 20
    /// How long one fetch waits for messages: also how quickly a graceful shutdown is noticed.
    public var fetchWait: Duration = .seconds(1)
    public var batchSize = 32
    /// Actor on the events flow-control appends.
    public var actor = "system:flow-control"
    /// `installation.name` / `installation.url` in every run's data.
    public var installationName = "Almanac"
    public var installationURL = "http://localhost:8080"

    public init() {}
}
