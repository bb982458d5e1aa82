import AlmanacEvents
import BookingService
import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient
import ServiceLifecycle
import Synchronization

/// `almanac flow-control`: matches triggers and starts runs, turns the run decider's due times
/// into JetStream message schedules, and hands runtime steps to `WORK` (see the job contract in
/// `FlowWork/StepJob.swift`).
///
/// Any number of replicas is safe: each durable consumer hands a message to one replica, a run
/// is started with "no stream yet" on its subject (run id derived from flow, version and
/// trigger), every later append carries the run subject's expected sequence, and jobs and
/// schedules carry message ids or live on a subject of their own.
public final class FlowControl: Service {
    let jetStream: JetStream
    let bookings: EventStore
    let flowEvents: EventStore
    let runs: EventStore
    /// Run subjects as flow-control writes them (settle, decide, append one event at a time).
    let runLog: RunLog
    /// The flow version of each run seen lately, so a fresh `run.step_scheduled` is handed
    /// over without reading its run.
    let runVersions = RunVersions()
    let aggregates: BookingAggregates
    let siteAdmins: SiteAdmins
    public let flows: PublishedFlows
    let configuration: FlowControlConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(jetStream: JetStream, configuration: FlowControlConfiguration = FlowControlConfiguration(),
                logger: Logger = Logger(label: "almanac.flow-control"), now: @escaping @Sendable () -> Date = Date.init) {
        self.jetStream = jetStream
        self.bookings = EventStore(jetStream: jetStream, stream: AlmanacStreams.bookings, registry: AlmanacEventCatalog.registry)
        self.flowEvents = EventStore(jetStream: jetStream, stream: AlmanacStreams.flows, registry: AlmanacEventCatalog.registry)
        self.runs = EventStore(jetStream: jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
        self.runLog = RunLog(store: runs)
        self.aggregates = BookingAggregates(store: bookings)
        self.siteAdmins = SiteAdmins(store: bookings)
        self.flows = PublishedFlows()
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Creates the streams and the three consumers, then reads `FLOWS` up to now, so nothing is
    /// matched against an empty index. Consumers start at new messages: flows act on what
    /// happens from the first start of flow-control on, not on the whole history.
    public func prepare() async throws {
        try await AlmanacStreams.ensure(on: jetStream)
        try await ensureConsumers()
        try await catchUpWithFlows()
        try await armCronTimers()
    }

    func ensureConsumers() async throws {
        for config in consumerConfigs() {
            _ = try await jetStream.createOrUpdateConsumer(stream: config.stream, config.config)
        }
    }

    func consumerConfigs() -> [(stream: String, config: ConsumerConfig)] {
        func config(_ name: String, _ what: String, _ filters: [String], maxDeliver: Int? = nil) -> ConsumerConfig {
            ConsumerConfig(durableName: name, description: what, deliverPolicy: .new, ackPolicy: .explicit,
                           ackWait: configuration.ackWait, maxDeliver: maxDeliver ?? configuration.maxDeliver, filterSubjects: filters,
                           maxAckPending: 1000)
        }
        return [
            (AlmanacStreams.bookings, config(configuration.bookingsConsumer, "Booking events for flow triggers (almanac flow-control)",
                                             [BookingSubjects.allResources])),
            // Unlimited deliveries: this consumer is what settles a run whose writer stopped between
            // two events of a decision (no job or timer exists for it), so it never gives one up.
            (AlmanacStreams.runs, config(configuration.runsConsumer, "Run events: jobs and timers (almanac flow-control)", ["runs.>"],
                                         maxDeliver: -1)),
            (AlmanacStreams.schedules, config(configuration.timersConsumer, "Fired timers (almanac flow-control)", [TimerSubjects.firedFilter])),
        ]
    }

    func catchUpWithFlows() async throws {
        let from = await flows.position + 1
        for try await batch in try await flowEvents.subscribe(filter: "flows.>", from: from, mode: .untilCaughtUp) {
            for event in batch { await flows.apply(event) }
        }
    }

    public func run() async throws {
        try await prepare()
        let live = await flows.live().count
        logger.info("flow control started", metadata: ["flows": "\(live)"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Each part runs until the service stops: a part that fails (NATS gone for a while, a
            // consumer deleted by an operator) starts again after a pause instead of taking the
            // others down; an error while stopping (a cancelled read) is stopping, not failing.
            func part(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
                group.addTask {
                    while !Self.isStopping {
                        do {
                            try await body()
                        } catch where Self.isStopping {
                            return
                        } catch {
                            self.logger.warning("\(name) stopped; starting it again", metadata: ["error": "\(error)"])
                        }
                        if Self.isStopping { return }
                        // Not a synchronisation: a pause before trying a failing server again.
                        try? await Task.sleep(for: .seconds(1))
                        // A deleted consumer is created again (same configuration).
                        try? await self.ensureConsumers()
                    }
                }
            }
            part("following FLOWS") { try await self.followFlows() }
            part("booking triggers") { try await self.consume(AlmanacStreams.bookings, self.configuration.bookingsConsumer, self.handleBookingMessage) }
            part("run steps") { try await self.consumeRuns() }
            part("timers") { try await self.consume(AlmanacStreams.schedules, self.configuration.timersConsumer, self.handleTimerMessage) }
            try await group.waitForAll()
        }
        logger.info("flow control stopped")
    }

    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Keeps the index current while running (publish and archive take effect at once).
    func followFlows() async throws {
        let from = await flows.position + 1
        let subscription = try await flowEvents.subscribe(filter: "flows.>", from: from, mode: .live)
        try await withTaskCancellationOrGracefulShutdownHandler {
            for try await batch in subscription {
                for event in batch { await flows.apply(event) }
                // A newly published cron flow gets its first timer.
                do { try await armCronTimers() } catch { logger.warning("cron timers not armed", metadata: ["error": "\(error)"]) }
            }
        } onCancelOrGracefulShutdown: {
            subscription.stop()
        }
    }

    /// What to do with a message once handled.
    enum Disposition: Sendable {
        case ack
        /// Not yet possible (e.g. a flow version not seen yet): again after `delay`.
        case retry(after: Duration, reason: String)
    }

    /// The next batch of `consumer`; empty after a failed fetch (logged, with a second's pause),
    /// nil once the service is stopping.
    func nextBatch(_ consumer: PullConsumer, _ name: String) async -> [JetStreamMessage]? {
        do {
            return try await consumer.fetch(batch: configuration.batchSize, expires: configuration.fetchWait)
        } catch {
            if Self.isStopping { return nil }
            logger.warning("fetching failed; trying again", metadata: ["consumer": "\(name)", "error": "\(error)"])
            // Back off from a failing server instead of spinning; not a synchronisation.
            try? await Task.sleep(for: .seconds(1))
            return []
        }
    }

    /// One durable consumer: fetch a batch, handle each message in order, ack. A handler that
    /// throws leaves its message to redelivery; the last delivery is logged and acked, so one
    /// poisoned message never loops forever.
    func consume(_ stream: String, _ name: String, _ handle: @escaping @Sendable (JetStreamMessage) async throws -> Disposition) async throws {
        let consumer = try await PullConsumer.bind(jetStream, stream: stream, consumer: name)
        while !Self.isStopping {
            guard let messages = await nextBatch(consumer, name) else { break }
            for message in messages {
                // The batch is handled one message at a time: the later ones' ack-wait started at
                // the fetch, so each says "in progress" as its turn comes, or under load another
                // replica gets it again while this one is still on its way to it.
                try? message.inProgress()
                await finish(message, consumer: name, acknowledging: .sync) { try await handle(message) }
            }
        }
    }

    /// How a handled message is acknowledged.
    enum AckMode { case sync, async }

    /// Acks, naks or terminates `message` by what `handle` came to. A handler that throws
    /// leaves its message to redelivery; the last delivery is logged and terminated, so one
    /// poisoned message never loops forever — unless `givingUp` is false (the RUNS consumer),
    /// where a message past `maxDeliver` is logged as an error at each delivery and tried again
    /// at most every 30 s, because giving it up could leave a run cut short for good.
    func finish(_ message: JetStreamMessage, consumer name: String, acknowledging mode: AckMode, givingUp: Bool = true,
                _ handle: () async throws -> Disposition) async {
        let deliveries = givingUp ? Int(message.message.deliveries ?? 1) : 0
        if !givingUp, let delivered = message.message.deliveries, Int(delivered) >= configuration.maxDeliver {
            logger.error("message still not handled after \(delivered) deliveries; trying again",
                         metadata: ["consumer": "\(name)", "subject": "\(message.subject)", "seq": "\(message.sequence)"])
        }
        do {
            switch try await handle() {
            case .ack:
                switch mode {
                case .sync: try await message.ackSync()
                case .async: try message.ack()
                }
            case .retry(let delay, let reason):
                if deliveries >= configuration.maxDeliver {
                    logger.error("message given up", metadata: ["consumer": "\(name)", "seq": "\(message.sequence)", "reason": "\(reason)"])
                    try message.term()
                } else {
                    try message.nak(delay: delay)
                }
            }
        } catch {
            if deliveries >= configuration.maxDeliver {
                logger.error("message given up after \(deliveries) deliveries",
                             metadata: ["consumer": "\(name)", "subject": "\(message.subject)", "seq": "\(message.sequence)", "error": "\(error)"])
                try? message.term()
            } else {
                logger.warning("message not handled; it will come again",
                               metadata: ["consumer": "\(name)", "subject": "\(message.subject)", "seq": "\(message.sequence)", "error": "\(error)"])
                try? message.nak(delay: .seconds(min(30, 1 << min(Int(message.message.deliveries ?? 1), 5))))
            }
        }
    }

    /// The RUNS consumer: a batch's runs are handled at once, each run's events in order, and
    /// acks go out without waiting for the server's confirmation (a lost ack only brings the
    /// message again, and handling a run event twice changes nothing).
    func consumeRuns() async throws {
        let name = configuration.runsConsumer
        let consumer = try await PullConsumer.bind(jetStream, stream: AlmanacStreams.runs, consumer: name)
        while !Self.isStopping {
            guard let messages = await nextBatch(consumer, name) else { break }
            var bySubject: [String: [JetStreamMessage]] = [:]
            var subjects: [String] = []
            for message in messages {
                if bySubject[message.subject] == nil { subjects.append(message.subject) }
                bySubject[message.subject, default: []].append(message)
            }
            await withTaskGroup(of: Void.self) { group in
                for subject in subjects {
                    let run = bySubject[subject] ?? []
                    group.addTask {
                        for (index, message) in run.enumerated() {
                            let later = run[(index + 1)...]
                            await self.finish(message, consumer: name, acknowledging: .async, givingUp: false) {
                                try await self.handleRunMessage(message, superseded: !later.isEmpty,
                                                                handedOver: later.contains { Self.showsStepTaken($0) })
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Flow version by run id, for the runs flow-control saw lately (a run's version never changes).
final class RunVersions: Sendable {
    private let versions = Mutex<[String: Int]>([:])
    static let capacity = 100_000

    func remember(_ runId: String, version: Int) {
        versions.withLock { versions in
            if versions.count >= Self.capacity { versions.removeAll(keepingCapacity: true) }
            versions[runId] = version
        }
    }

    func version(of runId: String) -> Int? {
        versions.withLock { $0[runId] }
    }
}
