import AlmanacEvents
import EventStore
import FlowRuntime
import FlowWork
import Flows
import Foundation
import LocalServers
import NATSClient
import Testing
import TestSupport

/// A private nats-server with the Almanac streams, a RUNS event store, and the parts of
/// flow-control a runtime test needs: starting a run and publishing its first job.
struct RuntimeHarness {
    let server: LocalNATSServer
    let nats: NATSConnection
    let store: EventStore

    var jetStream: JetStream { nats.jetStream }

    static func with(_ body: (RuntimeHarness) async throws -> Void) async throws {
        let server = try await TestServers.shared().startPrivateNATS()
        do {
            let nats = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "flow-runtime-test"))
            defer { nats.close() }
            try await AlmanacStreams.ensure(on: nats.jetStream)
            let store = EventStore(jetStream: nats.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
            try await body(RuntimeHarness(server: server, nats: nats, store: store))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A one-step flow triggered by hand.
    static func flow(_ id: String, _ step: FlowStep) -> FlowDefinition {
        FlowDefinition(id: id, name: "Test \(id)", trigger: .manual(ManualTrigger()), steps: [step])
    }

    /// What flow-control does: appends the run's start and first schedule, publishes the job.
    func startRun(_ flow: FlowDefinition, data: FlowValue, runId: String = "r\(UUID().uuidString.prefix(8).lowercased())") async throws -> StepJob {
        let start = StartRun(runId: runId, flowVersion: 1, triggerKey: "test-\(runId)", triggerData: data)
        let events = try RunDecider.decide(.start(start), RunState(), RunDecisionContext(flow: flow, now: Date())).get()
        let subject = WorkSubjects.run(flowId: flow.id, runId: runId)
        try await store.append(events.map(\.payload), to: subject, expecting: .noStream, idempotencyKey: "start-\(runId)")
        guard case .stepScheduled(let scheduled) = try #require(events.last) else { throw HarnessError(description: "the run did not schedule a step") }
        let job = StepJob(scheduled: scheduled, flow: flow, flowVersion: 1)
        try await publish(job)
        return job
    }

    func publish(_ job: StepJob, messageId: String? = nil) async throws {
        _ = try await jetStream.publish(job.subject, payload: try job.encoded(), options: PublishOptions(messageId: messageId ?? job.messageId))
    }

    func events(of job: StepJob) async throws -> [RunEvent] {
        try await store.read(subject: job.runSubject).compactMap { RunEvent(payload: $0.event) }
    }

    /// Follows the run's subject until `condition` holds for its state (or fails after `timeout`).
    func waitForRun(_ job: StepJob, timeout: Duration = .seconds(60), until condition: @escaping @Sendable (RunState) -> Bool) async throws -> RunState {
        let subscription = try await store.subscribe(filter: job.runSubject, from: 1, mode: .live)
        defer { subscription.stop() }
        return try await withThrowingTaskGroup(of: RunState?.self) { group in
            group.addTask {
                var state = RunState()
                for try await batch in subscription {
                    for recorded in batch {
                        if let event = RunEvent(payload: recorded.event) { state = RunState.evolve(state, event) }
                    }
                    if condition(state) { return state }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            subscription.stop()
            guard let state = first else { throw HarnessError(description: "run \(job.runId) did not reach the expected state within \(timeout)") }
            return state
        }
    }

    /// Runs a runtime for the duration of `body`, then shuts it down.
    func withRuntime(_ executors: StepExecutors, configuration: FlowRuntimeConfiguration = RuntimeHarness.fastConfiguration,
                     _ body: () async throws -> Void) async throws {
        let runtime = FlowRuntime(jetStream: jetStream, executors: executors, secrets: FlowSecrets(["api_key": "s3cr3t-key-42"]),
                                  configuration: configuration)
        try await runtime.prepare()
        let task = Task { try await runtime.run() }
        do {
            try await body()
        } catch {
            task.cancel()
            _ = try? await task.value
            throw error
        }
        task.cancel()
        _ = try? await task.value
    }

    static var fastConfiguration: FlowRuntimeConfiguration {
        var configuration = FlowRuntimeConfiguration()
        configuration.ackWait = .seconds(3)
        configuration.fetchWait = .milliseconds(250)
        configuration.concurrency = 2
        return configuration
    }

    /// Waits until the runtime's consumer has nothing pending or unacknowledged.
    func waitForWorkDrained(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let info = try await jetStream.consumerInfo(stream: AlmanacStreams.work, name: "flow-runtime")
            if info.numPending == 0 && info.numAckPending == 0 { return }
            // Consumer state has no push notification; a short pause between reads of it.
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(description: "WORK still has jobs after \(timeout)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

extension Array where Element == RunEvent {
    var succeeded: [StepSucceeded] { compactMap { if case .stepSucceeded(let event) = $0 { event } else { nil } } }
    var failed: [StepFailed] { compactMap { if case .stepFailed(let event) = $0 { event } else { nil } } }
    var started: [StepStarted] { compactMap { if case .stepStarted(let event) = $0 { event } else { nil } } }
}
