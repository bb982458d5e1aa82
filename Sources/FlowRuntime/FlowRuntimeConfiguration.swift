import FlowWork

/// How the runtime consumes `WORK`. The defaults suit production; tests shorten `ackWait` so a
/// killed runtime's job comes back quickly.
public struct FlowRuntimeConfiguration: Sendable {
    /// Durable consumer on WORK shared by every replica (work-queue: each job goes to one).
    public var consumerName = "flow-runtime"
    /// Time a job may stay unacknowledged before the server hands it to another replica. A job
    /// in hand is kept alive with "in progress" every third of this, so long steps are fine;
    /// it only matters when a runtime dies.
    public var ackWait: Duration = .seconds(30)
    /// Deliveries of one job message; the last one is not executed but dead-lettered (a job
    /// that kills its runtime every time must not take the fleet down forever).
    public var maxDeliver = 10
    /// Jobs in hand at once per process. One fetch serves them all (a job in hand holds no
    /// thread while it waits for NATS, SMTP or HTTP), so this may be well above the cores.
    public var concurrency = 16
    /// How long one fetch waits for work: also how quickly a graceful shutdown is noticed.
    public var fetchWait: Duration = .seconds(1)
    /// Runs remembered as this runtime last appended to them (their next step then starts
    /// without a read); 0 turns it off.
    public var runCacheCapacity = 4096
    /// Sender of mail steps without `from`.
    public var defaultSender = "noreply@almanac.local"
    /// Actor on the events the runtime appends and the commands it sends.
    public var actor = "system:flow-runtime"

    public init() {}

    /// Redeliveries after an ack timeout back off: ackWait, 2×, 4× ... (the server needs one
    /// value per delivery at most, and the list must not be longer than MaxDeliver).
    var redeliveryBackoff: [Duration] {
        (0..<max(1, min(maxDeliver, 5))).map { ackWait * (1 << $0) }
    }

    /// Heartbeat ("in progress") interval of a job in hand.
    var heartbeat: Duration { ackWait / 3 }
}
