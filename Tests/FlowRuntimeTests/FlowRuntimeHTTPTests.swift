import AlmanacEvents
import EventStore
import FlowRuntime
import FlowWork
import Flows
import Foundation
import HTTPClient
import NATSClient
import Testing

@Suite("Flow runtime: http_request, retries and dead letters")
struct FlowRuntimeHTTPTests {
    static func call(_ url: String, attempts: Int) -> FlowStep {
        FlowStep(id: "notify", action: .httpRequest(HTTPRequestStep(method: .POST, url: url, headers: ["Authorization": "Bearer {{secrets.api_key}}"],
                                                                     body: #"{"run":"{{run.id}}"}"#)),
                 timeout: "10s", retry: RetryPolicy(attempts: attempts, initialDelay: "1s", multiplier: 1, jitter: 0))
    }

    func withServerAndRuntime(_ body: (RuntimeHarness, ScriptedHTTPServer) async throws -> Void) async throws {
        let server = try await ScriptedHTTPServer.start()
        let client = try HTTPClient()
        do {
            try await RuntimeHarness.with { harness in
                try await harness.withRuntime(StepExecutors(httpRequest: HTTPRequestExecutor(client: client))) {
                    try await body(harness, server)
                }
            }
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
    }

    @Test func givenAServerFailingTwice_whenTheStepRuns_thenThreeAttemptsAndOneSuccess() async throws {
        try await withServerAndRuntime { harness, server in
            let job = try await harness.startRun(RuntimeHarness.flow("flaky", Self.call("\(server.baseURL)/flaky/k1?fail=2", attempts: 3)), data: [:])
            let state = try await harness.waitForRun(job) { $0.isFinished }
            #expect(state.status == .completed)
            let events = try await harness.events(of: job)
            #expect(events.started.map(\.attempt) == [1, 2, 3])
            #expect(events.failed.map(\.attempt) == [1, 2])
            #expect(events.failed.allSatisfy { $0.willRetry && $0.error.kind == .serverError })
            #expect(events.failed.first?.error.message.contains("503") == true)
            #expect(events.succeeded.count == 1)
            let success = try #require(events.succeeded.first)
            #expect(success.attempt == 3)
            #expect(success.output.value(at: ["status"]) == 200)
            #expect(success.output.value(at: ["json", "hit"]) == 3)
            // The secret reached the server but not the trace.
            #expect(success.output.value(at: ["json", "authorization"]) == "Bearer [redacted]")
            // The trace: each start with its time and inputs (the secret redacted), each end with its duration.
            for started in events.started {
                #expect(started.startedAt != nil)
                #expect(started.inputs?.value(at: ["headers", "Authorization"]) == "[redacted]")
                #expect(started.inputs?.value(at: ["body"]) == .string(#"{"run":"\#(job.runId)"}"#))
                #expect(started.inputs?.value(at: ["method"]) == "POST")
            }
            #expect(success.finishedAt != nil && success.durationMs != nil)
            #expect(events.failed.allSatisfy { $0.finishedAt != nil && $0.durationMs != nil })
            // Each retry starts no earlier than its backoff allows (1 s, no jitter).
            let retries = events.compactMap { if case .stepRetryScheduled(let retry) = $0 { retry } else { nil } }
            #expect(retries.map(\.attempt) == [2, 3])
            for retry in retries {
                let started = try #require(events.started.first { $0.attempt == retry.attempt }?.startedAt)
                #expect(started >= retry.runAt, "attempt \(retry.attempt) started \(started) before its backoff ended at \(retry.runAt)")
            }
            #expect(try await server.hits("k1") == 3)
        }
    }

    @Test func givenAServerThatAlwaysFails_whenTheAttemptsAreUsedUp_thenTheJobIsDeadLetteredAndTheRunFailsWithTheReason() async throws {
        try await withServerAndRuntime { harness, server in
            let job = try await harness.startRun(RuntimeHarness.flow("broken", Self.call("\(server.baseURL)/flaky/k2?fail=1000", attempts: 2)), data: [:])
            let state = try await harness.waitForRun(job) { $0.isFinished }
            #expect(state.status == .failed)
            #expect(state.failureReason?.contains("failed after 2 attempts") == true)
            #expect(state.failureReason?.contains("answered 503") == true)
            let events = try await harness.events(of: job)
            #expect(events.failed.map(\.willRetry) == [true, false])
            #expect(events.succeeded.isEmpty)

            let dead = try #require(try await harness.jetStream.lastMessage(stream: AlmanacStreams.work, subject: WorkSubjects.deadLetter(.httpRequest)))
            let letter = try DeadStepJob.decode(dead.payload)
            #expect(letter.job.runId == job.runId)
            #expect(letter.job.attempt == 2)
            #expect(letter.error.kind == .serverError)
            #expect(letter.reason == state.failureReason)
            #expect(dead.headers[DeadStepJob.reasonHeader] == state.failureReason)
            #expect(try await server.hits("k2") == 2)
        }
    }

    @Test func givenAClientError_whenTheStepRuns_thenItIsNotRetried() async throws {
        try await withServerAndRuntime { harness, server in
            let job = try await harness.startRun(RuntimeHarness.flow("missing", Self.call("\(server.baseURL)/nowhere/k3", attempts: 3)), data: [:])
            let state = try await harness.waitForRun(job) { $0.isFinished }
            #expect(state.status == .failed)
            let events = try await harness.events(of: job)
            #expect(events.failed.count == 1)
            #expect(events.failed.first?.error.kind == .clientError)
            #expect(events.failed.first?.error.message.contains("answered 404") == true)
        }
    }

    @Test func givenAServerThatNeverAnswers_whenTheStepTimesOut_thenTheAttemptFailsWithATimeout() async throws {
        try await withServerAndRuntime { harness, server in
            let step = FlowStep(id: "slow", action: .httpRequest(HTTPRequestStep(method: .GET, url: "\(server.baseURL)/hold/k5")), timeout: "1s",
                                retry: RetryPolicy(attempts: 1))
            let job = try await harness.startRun(RuntimeHarness.flow("slow", step), data: [:])
            let state = try await harness.waitForRun(job) { $0.isFinished }
            try await server.release("k5")
            #expect(state.status == .failed)
            let events = try await harness.events(of: job)
            #expect(events.failed.count == 1)
            #expect(events.failed.first?.error.kind == .timeout)
            #expect(state.failureReason?.contains("failed after 1 attempt") == true)
        }
    }

    @Test func givenARetryWhoseJobWasLost_whenTheOldJobComesBack_thenTheRepublishedJobWaitsOutTheBackoff() async throws {
        let server = try await ScriptedHTTPServer.start()
        let client = try HTTPClient()
        do {
            try await lostRetry(server, client)
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
    }

    func lostRetry(_ server: ScriptedHTTPServer, _ client: HTTPClient) async throws {
        try await RuntimeHarness.with { harness in
            let flow = RuntimeHarness.flow("lost-retry", Self.call("\(server.baseURL)/flaky/k6?fail=0", attempts: 3))
            let job = try await harness.startRun(flow, data: [:])
            // A runtime recorded attempt 1 as failed with a retry due in 3 s, then stopped before
            // publishing attempt 2's job; attempt 1's job is still in WORK.
            let recorded = try await harness.store.read(subject: job.runSubject)
            var state = recorded.compactMap { RunEvent(payload: $0.event) }.reduce(RunState(), RunState.evolve)
            var last = try #require(recorded.last?.sequence)
            // One clock for the decisions and the check below: a bound read after the appends
            // would move with the machine's load.
            let failedAt = Date().addingTimeInterval(2)
            for command in [RunCommand.stepStarted(stepId: "notify", attempt: 1),
                            .stepFailed(stepId: "notify", attempt: 1, error: StepError(kind: .network, message: "connection reset"))] {
                let events = try RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: failedAt)).get()
                last = try await harness.store.append(events.map(\.payload), to: job.runSubject, expecting: .sequence(last)).lastSequence
                state = RunState.evolve(state, with: events)
            }
            let due = try #require(state.steps["notify"]?.runAt)
            #expect(due > failedAt)

            try await harness.withRuntime(StepExecutors(httpRequest: HTTPRequestExecutor(client: client))) {
                let finished = try await harness.waitForRun(job) { $0.isFinished }
                #expect(finished.status == .completed)
                let events = try await harness.events(of: job)
                let second = try #require(events.started.first { $0.attempt == 2 }?.startedAt)
                #expect(second >= due, "attempt 2 started at \(second), before its backoff ended at \(due)")
                #expect(events.succeeded.map(\.attempt) == [2])
            }
        }
    }
}
