import AlmanacEvents
import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient
import ServiceLifecycle
import Synchronization

/// `almanac flow-runtime`: takes step jobs from `WORK` (durable pull consumer shared by all
/// replicas), runs each with its timeout, and appends the attempt's outcome to the run's
/// subject (see the contract in `FlowWork/StepJob.swift`).
///
/// Graceful shutdown stops fetching; the jobs in hand finish, their outcomes are appended and
/// they are acked before `run()` returns.
public final class FlowRuntime: Service {
    let jetStream: JetStream
    let store: EventStore
    /// The run subjects this runtime appends to; it remembers the runs it wrote last, so a
    /// run's next step starts without reading the run again.
    let runs: RunLog
    let executors: StepExecutors
    let secrets: FlowSecrets
    let configuration: FlowRuntimeConfiguration
    let logger: Logger

    public init(jetStream: JetStream, executors: StepExecutors, secrets: FlowSecrets = FlowSecrets(),
                configuration: FlowRuntimeConfiguration = FlowRuntimeConfiguration(), logger: Logger = Logger(label: "almanac.flow-runtime")) {
        self.jetStream = jetStream
        self.store = EventStore(jetStream: jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
        self.runs = RunLog(store: store, cacheCapacity: configuration.runCacheCapacity)
        self.executors = executors
        self.secrets = secrets
        self.configuration = configuration
        self.logger = logger
    }

    /// The consumer every replica binds to: explicit acks, MaxDeliver, backoff on redelivery.
    public static func consumerConfig(_ configuration: FlowRuntimeConfiguration) -> ConsumerConfig {
        ConsumerConfig(durableName: configuration.consumerName, description: "Step jobs for almanac flow-runtime",
                       ackPolicy: .explicit, ackWait: configuration.ackWait, maxDeliver: configuration.maxDeliver,
                       backoff: configuration.redeliveryBackoff, filterSubjects: [WorkSubjects.jobFilter],
                       maxAckPending: 1000)
    }

    /// Creates the streams and the consumer, or brings them to this configuration.
    public func prepare() async throws {
        try await AlmanacStreams.ensure(on: jetStream)
        _ = try await jetStream.createOrUpdateConsumer(stream: AlmanacStreams.work, Self.consumerConfig(configuration))
    }

    public func run() async throws {
        try await prepare()
        logger.info("flow runtime consuming \(AlmanacStreams.work) \(WorkSubjects.jobFilter)",
                    metadata: ["consumer": "\(configuration.consumerName)", "concurrency": "\(configuration.concurrency)"])
        try await work(capacity: max(1, configuration.concurrency))
        logger.info("flow runtime stopped")
    }

    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// One binding and one fetch at a time for the whole process (a blocked fetch holds one
    /// thread, however many jobs are in hand); each job runs as a task of its own, at most
    /// `capacity` at once, and each fetch asks for as many jobs as there are free places.
    /// Returns once stopping and every job in hand is finished (acked, naked or left).
    func work(capacity: Int) async throws {
        let consumer = try await PullConsumer.bind(jetStream, stream: AlmanacStreams.work, consumer: configuration.consumerName)
        let inHand = JobCount()
        // One element per finished job: the fetch loop waits here when every place is taken.
        let (freed, free) = AsyncStream<Void>.makeStream(bufferingPolicy: .unbounded)
        var freedSlots = freed.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            while !Self.isStopping {
                let places = capacity - inHand.value
                guard places > 0 else {
                    _ = await freedSlots.next()
                    continue
                }
                let messages: [JetStreamMessage]
                do {
                    messages = try await consumer.fetch(batch: places, expires: configuration.fetchWait)
                } catch {
                    if Self.isStopping { break }
                    logger.warning("fetching step jobs failed; trying again", metadata: ["error": "\(error)"])
                    // Back off from a failing server instead of spinning; not a synchronisation.
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                for message in messages {
                    inHand.add(1)
                    group.addTask {
                        await self.handle(message)
                        inHand.add(-1)
                        free.yield()
                    }
                }
            }
        }
        free.finish()
    }
}

/// Jobs in hand, counted by the fetch loop and the jobs' tasks.
final class JobCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add(_ delta: Int) { count.withLock { $0 += delta } }
}
