import FlowRuntime
import FlowWork
import Flows
import Foundation
import Mail
import PostgresClient
import Testing
import TestSupport

/// A pool on a fresh database with every migration applied (the outbox table).
func withMigratedDatabase(_ body: (PostgresPool) async throws -> Void) async throws {
    let conninfo = try await TestServers.shared().makeDatabase(prefix: "runtime")
    let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 2)
    do {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try await Migrator(directory: root.appendingPathComponent("schemas/sql")).migrate(pool)
        try await body(pool)
    } catch {
        await pool.close()
        throw error
    }
    await pool.close()
}

@Suite("Flow runtime: send_email")
struct FlowRuntimeMailTests {
    static let confirmation = FlowStep(id: "confirm", action: .sendEmail(SendEmailStep(
        to: ["{{input.email}}"], subject: "Desk {{input.desk}} booked", body: "Hello, desk {{input.desk}} is yours.")))

    @Test func givenASendEmailJob_whenTheRuntimeRunsIt_thenOneSuccessEventAndOneOutboxRow() async throws {
        try await withMigratedDatabase { pool in
            try await RuntimeHarness.with { harness in
                let executors = StepExecutors(sendEmail: SendEmailExecutor(transport: OutboxTransport(pool: pool), defaultSender: "noreply@almanac.test"))
                try await harness.withRuntime(executors) {
                    let job = try await harness.startRun(RuntimeHarness.flow("confirm-mail", Self.confirmation),
                                                         data: ["input": ["email": "ada@example.test", "desk": "7"]])
                    let state = try await harness.waitForRun(job) { $0.isFinished }
                    #expect(state.status == .completed)
                    let events = try await harness.events(of: job)
                    #expect(events.succeeded.count == 1)
                    #expect(events.started.count == 1)
                    let output = try #require(events.succeeded.first?.output)
                    #expect(output.value(at: ["transport"]) == "outbox")
                    #expect(output.value(at: ["messageId"]) == .string("<almanac.\(job.runId).confirm@almanac.test>"))
                    let started = try #require(events.started.first)
                    #expect(started.inputs?.value(at: ["subject"]) == "Desk 7 booked")
                    #expect(started.inputs?.value(at: ["to"]) == ["ada@example.test"])
                    #expect(started.startedAt != nil)
                    #expect(events.succeeded.first?.durationMs != nil)
                    #expect(events.succeeded.first?.finishedAt != nil)

                    let rows = try await pool.query("select message_id, run_id, step_id, subject from mail.outbox")
                    #expect(rows.count == 1)
                    let (messageID, runID, stepID, subject) = try rows[0].decode(String.self, String.self, String.self, String.self)
                    #expect(messageID == "<almanac.\(job.runId).confirm@almanac.test>")
                    #expect(runID == job.runId)
                    #expect(stepID == "confirm")
                    #expect(subject == "Desk 7 booked")
                }
            }
        }
    }

    @Test func givenATemplateRenderingAnInvalidAddress_whenTheJobRuns_thenTheStepFailsOnceWithoutRetryAndTheRunFailsWithTheReason() async throws {
        try await withMigratedDatabase { pool in
            try await RuntimeHarness.with { harness in
                let executors = StepExecutors(sendEmail: SendEmailExecutor(transport: OutboxTransport(pool: pool), defaultSender: "noreply@almanac.test"))
                try await harness.withRuntime(executors) {
                    let job = try await harness.startRun(RuntimeHarness.flow("bad-address", Self.confirmation),
                                                         data: ["input": ["email": "ada at example", "desk": "7"]])
                    let state = try await harness.waitForRun(job) { $0.isFinished }
                    #expect(state.status == .failed)
                    let events = try await harness.events(of: job)
                    let failure = try #require(events.failed.first)
                    #expect(events.failed.count == 1)
                    #expect(failure.error.kind == .invalidInput)
                    #expect(!failure.willRetry)
                    #expect(failure.error.message.contains("ada at example"))
                    #expect(state.failureReason?.contains("ada at example") == true)
                    // The trace shows what the step was given, and when the attempt ended.
                    #expect(events.started.first?.inputs?.value(at: ["to"]) == ["ada at example"])
                    #expect(failure.finishedAt != nil && failure.durationMs != nil)
                    let rows = try await pool.query("select count(*)::int from mail.outbox")
                    #expect(try rows[0].decode(Int.self) == 0)
                }
            }
        }
    }

    @Test func givenTheSameJobDeliveredTwice_whenBothCopiesRun_thenOneSuccessEventAndOneMail() async throws {
        try await withMigratedDatabase { pool in
            try await RuntimeHarness.with { harness in
                let executors = StepExecutors(sendEmail: SendEmailExecutor(transport: OutboxTransport(pool: pool), defaultSender: "noreply@almanac.test"))
                try await harness.withRuntime(executors) {
                    let job = try await harness.startRun(RuntimeHarness.flow("twice", Self.confirmation),
                                                         data: ["input": ["email": "ada@example.test", "desk": "7"]])
                    // A second copy under another message id: what a redelivery or a second
                    // publisher outside the dedupe window looks like to the runtime.
                    try await harness.publish(job, messageId: "copy-2")
                    let state = try await harness.waitForRun(job) { $0.isFinished }
                    #expect(state.status == .completed)
                    try await harness.waitForWorkDrained()
                    // And a third copy after the run completed.
                    try await harness.publish(job, messageId: "copy-3")
                    try await harness.waitForWorkDrained()
                    let events = try await harness.events(of: job)
                    #expect(events.succeeded.count == 1)
                    #expect(events.failed.isEmpty)
                    let rows = try await pool.query("select count(*)::int from mail.outbox")
                    #expect(try rows[0].decode(Int.self) == 1)
                }
            }
        }
    }
}
