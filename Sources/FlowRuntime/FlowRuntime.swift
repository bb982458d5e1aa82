import AlmanacEvents
import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient
import ServiceLifecycle

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
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<max(1, configuration.concurrency) {
                group.addTask { try await self.work(worker) }
            }
            try await group.waitForAll()
        }
        logger.info("flow runtime stopped")
    }

    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// One worker: its own binding (a fetch is one at a time per binding), one job at a time.
    func work(_ worker: Int) async throws {
        let consumer = try await PullConsumer.bind(jetStream, stream: AlmanacStreams.work, consumer: configuration.consumerName)
        while !Self.isStopping {
            let messages: [JetStreamMessage]
            do {
                messages = try await consumer.fetch(batch: 1, expires: configuration.fetchWait)
            } catch {
                if Self.isStopping { break }
                logger.warning("fetching step jobs failed; trying again", metadata: ["worker": "\(worker)", "error": "\(error)"])
                // Back off from a failing server instead of spinning; not a synchronisation.
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            for message in messages {
                await handle(message)
            }
        }
    }
}
