import NATSClient

/// The streams of the architecture (section "Streams and subjects"), declared once and applied
/// at start-up by every role that needs them. `replicas` is 3 in a cluster, 1 locally.
public enum AlmanacStreams {
    public static let bookings = "BOOKINGS"
    public static let flows = "FLOWS"
    public static let runs = "RUNS"
    public static let work = "WORK"
    public static let schedules = "SCHEDULES"
    /// Custom events flows publish for other systems (`publish_event` steps), apart from the
    /// streams Almanac itself consumes.
    public static let events = "EVENTS"

    public static func configurations(replicas: Int = 1, runsMaxAge: Duration? = nil) -> [StreamConfig] {
        [
            StreamConfig(name: bookings, description: "Every booking-side event, kept forever",
                         subjects: ["bookings.>"], duplicateWindow: .seconds(120), replicas: replicas,
                         allowAtomic: true, allowDirect: true, denyDelete: true, denyPurge: true),
            StreamConfig(name: flows, description: "Flow definition events, kept forever",
                         subjects: ["flows.>"], duplicateWindow: .seconds(120), replicas: replicas,
                         allowAtomic: true, allowDirect: true, denyDelete: true, denyPurge: true),
            StreamConfig(name: runs, description: "Run lifecycle and step trace events",
                         subjects: ["runs.>"], maxAge: runsMaxAge, duplicateWindow: .seconds(120), replicas: replicas,
                         allowAtomic: true, allowDirect: true),
            StreamConfig(name: work, description: "Step jobs for the flow runtime",
                         subjects: ["work.>"], retention: .workqueue, duplicateWindow: .seconds(120), replicas: replicas),
            // Schedules fire into their target subject inside this stream; the flow controller
            // consumes them from here (ADR-51 keeps schedule and target in one stream).
            StreamConfig(name: schedules, description: "Timers as message schedules",
                         subjects: ["schedules.>"], duplicateWindow: .seconds(120), replicas: replicas,
                         allowMsgTTL: true, allowMsgSchedules: true, allowDirect: true),
            StreamConfig(name: events, description: "Custom events published by flows (publish_event steps)",
                         subjects: ["events.>"], duplicateWindow: .seconds(120), replicas: replicas, allowDirect: true),
        ]
    }

    /// Creates the streams, or updates them to this configuration.
    public static func ensure(on jetStream: JetStream, replicas: Int = 1) async throws {
        for config in configurations(replicas: replicas) {
            try await jetStream.createOrUpdateStream(config)
        }
    }
}
