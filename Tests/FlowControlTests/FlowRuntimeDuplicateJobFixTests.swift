import EventStore
import FlowRuntime
import FlowWork
import Flows
import Foundation
import Mail
import NATSClient
import Testing

extension FlowControlSuites {
    /// A second copy of a job, published after WORK's dedupe window, does not run the step again
    /// (review finding F4).
    @Suite("Flow runtime: a second copy of a job", .timeLimit(.minutes(2)))
    struct FlowRuntimeDuplicateJobFixTests {
        static let flow = FlowDefinition(id: "mail-once", name: "Mail once", trigger: .manual(ManualTrigger()),
                                         steps: [FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["ops@almanac.example"], subject: "Once", body: "Once")))])

        struct NotScheduled: Error {}

        /// Starts a run of `flow` on its subject, as flow-control would, and returns its first step's job.
        static func startRun(_ runId: String, in harness: FlowControlHarness) async throws -> StepJob {
            let subject = WorkSubjects.run(flowId: flow.id, runId: runId)
            let context = RunDecisionContext(flow: flow, now: Date())
            guard case .success(let events) = RunDecider.decide(.start(StartRun(runId: runId, flowVersion: 1, triggerKey: runId, triggerData: [:])), RunState(), context)
            else { throw NotScheduled() }
            _ = try await harness.runs.append(events.map(\.payload), to: subject, expecting: .noStream)
            for event in events {
                if case .stepScheduled(let scheduled) = event { return StepJob(scheduled: scheduled, flow: flow, flowVersion: 1) }
            }
            throw NotScheduled()
        }

        @Test func givenAnAttemptAnotherCopyOfTheJobStarted_whenASecondCopyArrives_thenItIsSkippedAndNoMailIsSent() async throws {
            try await FlowControlHarness.with { harness in
                // Run 1: its attempt was started by the first copy of the job (a runtime still at it).
                let first = try await Self.startRun("run-copied", in: harness)
                let subject = WorkSubjects.run(flowId: Self.flow.id, runId: first.runId)
                let scheduled = try await harness.runs.read(subject: subject)
                guard case .success(let started) = RunDecider.decide(.stepStarted(stepId: "mail", attempt: first.attempt),
                                                                    RunState.evolve(RunState(), with: scheduled.compactMap { RunEvent(payload: $0.event) }),
                                                                    RunDecisionContext(flow: Self.flow, now: Date())) else { throw NotScheduled() }
                _ = try await harness.runs.append(started.map(\.payload), to: subject, expecting: .sequence(try #require(scheduled.last?.sequence)))
                // Run 2: an ordinary job, after the copy.
                let second = try await Self.startRun("run-plain", in: harness)

                var configuration = FlowControlHarness.fastRuntime
                configuration.concurrency = 1
                let runtime = FlowRuntime(jetStream: harness.jetStream,
                                          executors: StepExecutors(sendEmail: SendEmailExecutor(transport: OutboxTransport(pool: harness.pool), defaultSender: "noreply@almanac.test")),
                                          configuration: configuration)
                try await runtime.prepare()
                // The second copy: same job, another message id (published after the dedupe window).
                _ = try await harness.jetStream.publish(first.subject, payload: try first.encoded(), options: PublishOptions(messageId: "\(first.messageId)/again"))
                _ = try await harness.jetStream.publish(second.subject, payload: try second.encoded(), options: PublishOptions(messageId: second.messageId))
                let running = Task { try await runtime.run() }
                defer { running.cancel() }

                try await harness.waitUntil("the ordinary job's mail") { try await harness.outbox().contains { $0.runId == "run-plain" } }
                #expect(try await harness.outbox().map(\.runId) == ["run-plain"])
                let types = try await harness.runEvents(subject).map(\.typeName)
                #expect(types == ["started", "step_scheduled", "step_started"], "the copy neither ran the step nor recorded an outcome")
                running.cancel()
                _ = try? await running.value
            }
        }
    }
}
