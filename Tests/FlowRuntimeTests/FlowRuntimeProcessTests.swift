import FlowRuntime
import FlowWork
import Flows
import Foundation
import LocalServers
import Testing
import TestSupport

/// `almanac flow-runtime` as a process: killed with SIGKILL in the middle of a step, its job
/// goes to the next runtime, which runs the step again; the run records one success.
@Suite("almanac flow-runtime process")
struct FlowRuntimeProcessTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func givenARuntimeKilledDuringAStep_whenAnotherRuntimeStarts_thenTheStepRunsAgainAndSucceedsOnce() async throws {
        let server = try await ScriptedHTTPServer.start()
        let environment = try await TestServers.shared()
        let database = try await environment.makeDatabase(prefix: "runtimecli")
        let folder = try environment.makeDirectory(prefix: "runtime-cli")
        do {
            try await RuntimeHarness.with { harness in
                func spawnRuntime(_ name: String) async throws -> ChildProcess {
                    try await BuiltProducts.spawn("almanac", ["flow-runtime", "--ack-wait", "2", "--concurrency", "1"],
                                                  environment: ["ALMANAC_NATS_URL": harness.server.url, "ALMANAC_DATABASE_URL": database,
                                                                "ALMANAC_MAIL_TRANSPORT": "outbox", "ALMANAC_SCHEMAS": Self.repositoryRoot.appendingPathComponent("schemas").path],
                                                  logFile: folder.appendingPathComponent("\(name).log"))
                }
                let step = FlowStep(id: "call", action: .httpRequest(HTTPRequestStep(method: .GET, url: "\(server.baseURL)/hold/k9")), timeout: "60s",
                                    retry: RetryPolicy(attempts: 1))
                let first = try await spawnRuntime("first")
                let job = try await harness.startRun(RuntimeHarness.flow("held", step), data: [:])
                // The first runtime is inside the step: the server holds its request.
                #expect(try await server.waitForHits("k9", count: 1) == 1)
                _ = try await harness.waitForRun(job) { $0.steps["call"]?.status == .running }
                #expect(first.signal(SIGKILL))
                #expect(try await first.waitForExit() == .signalled(signal: SIGKILL))

                let second = try await spawnRuntime("second")
                // The job comes back after the ack wait and the step runs again.
                #expect(try await server.waitForHits("k9", count: 2) == 2)
                try await server.release("k9")
                let state = try await harness.waitForRun(job) { $0.isFinished }
                #expect(state.status == .completed)
                let events = try await harness.events(of: job)
                #expect(events.succeeded.count == 1)
                #expect(events.succeeded.first?.attempt == 1)
                #expect(events.started.count == 1)
                #expect(events.failed.isEmpty)

                // SIGTERM: graceful shutdown, exit status 0.
                #expect(await second.terminate(signal: SIGTERM, grace: .seconds(20)) == .exited(code: 0))
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
