import FlowControl
import Flows
import Foundation
import NATSClient
import Testing

extension FlowControlSuites {
    @Suite("Flow control: manual and cron triggers", .timeLimit(.minutes(3)))
    struct ManualAndCronTriggerTests {
        static let magicButton = FlowDefinition(
            id: "welcome-mail", name: "Welcome mail",
            trigger: .manual(ManualTrigger(label: "Send welcome", inputs: [ManualInput(name: "email", type: .email, required: true),
                                                                          ManualInput(name: "desk", type: .number)])),
            steps: [FlowStep(id: "welcome", action: .sendEmail(SendEmailStep(to: ["{{input.email}}"], subject: "Welcome, desk {{input.desk}}",
                                                                              body: "Sent by {{actor.name}}.")))])

        @Test func givenAManualFlow_whenStartedWithTypedInputs_thenOneRunMailsTheAddressGiven() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(Self.magicButton, on: controls[0])
                    let actor = ManualActor(id: "edith", name: "Edith Clarke", email: "edith@almanac.example")
                    let first = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "new@almanac.example", "desk": 7],
                                                                     actor: actor, idempotencyKey: "press-1")
                    let again = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "new@almanac.example", "desk": 7],
                                                                     actor: actor, idempotencyKey: "press-1")
                    guard case .started(let runId) = first else { Issue.record("not started: \(first)"); return }
                    #expect(again == .alreadyStarted(runId: runId))
                    let (_, state) = try await harness.waitForRun(of: "welcome-mail") { $0.isFinished }
                    #expect(state.status == .completed)
                    let mails = try await harness.outbox()
                    #expect(mails.map(\.subject) == ["Welcome, desk 7"])
                    #expect(mails.first?.to.contains("new@almanac.example") == true)
                }
            }
        }

        @Test func givenARunStartedOnVersion1_whenTheSameTriggerComesAgainAfterVersion2IsPublished_thenNoSecondRunStarts() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(Self.magicButton, on: controls[0])
                    let actor = ManualActor(id: "edith", name: "Edith Clarke", email: "edith@almanac.example")
                    let first = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "new@almanac.example"],
                                                                     actor: actor, idempotencyKey: "press-1")
                    guard case .started(let runId) = first else { Issue.record("not started: \(first)"); return }
                    var edited = Self.magicButton
                    edited.name = "Welcome mail, edited"
                    try await harness.publishLive(edited, on: controls[0])
                    // The same press again (a redelivered trigger) now meets version 2 as the live one.
                    let again = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "new@almanac.example"],
                                                                     actor: actor, idempotencyKey: "press-1")
                    #expect(again == .alreadyStarted(runId: runId))
                    #expect(try await harness.runSubjects(of: "welcome-mail").count == 1)
                }
            }
        }

        @Test func givenAManualFlow_whenStartedWithBadInputs_thenATypedErrorNamesTheFieldAndNothingStarts() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    try await harness.publishLive(Self.magicButton, on: controls[0])
                    let actor = ManualActor(id: "edith")
                    await #expect(throws: FlowControlError.invalidInput(field: "email", reason: "is required")) {
                        _ = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["desk": 7], actor: actor)
                    }
                    await #expect(throws: FlowControlError.invalidInput(field: "email", reason: "\"nobody\" is not a mail address")) {
                        _ = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "nobody"], actor: actor)
                    }
                    await #expect(throws: FlowControlError.invalidInput(field: "desk", reason: "must be number, got text")) {
                        _ = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "a@b.ch", "desk": "seven"], actor: actor)
                    }
                    await #expect(throws: FlowControlError.invalidInput(field: "colour", reason: "is not an input of this flow (it has email, desk)")) {
                        _ = try await controls[0].startManualRun(flowId: "welcome-mail", input: ["email": "a@b.ch", "colour": "red"], actor: actor)
                    }
                    await #expect(throws: FlowControlError.unknownFlow("no-such-flow")) {
                        _ = try await controls[0].startManualRun(flowId: "no-such-flow", input: [:], actor: actor)
                    }
                    #expect(try await harness.runSubjects(of: "welcome-mail").isEmpty)
                }
            }
        }

        @Test func givenTheWeeklyReportFlow_whenPublished_thenItsNextFiringIsScheduled_andAFiringStartsOneRunPerSiteForItsAdmins() async throws {
            try await FlowControlHarness.with { harness in
                try await harness.withServices { controls in
                    var weekly = try FlowControlHarness.starterFlow("weekly-utilisation-report")
                    // Only the mail, so the run needs no reports endpoint.
                    weekly.steps = [FlowStep(id: "report", action: .sendEmail(SendEmailStep(to: ["{{site.adminEmails}}"], subject: "{{site.name}}: report",
                                                                                            body: "Week to {{schedule.scheduledFor}}")))]
                    try await harness.publishLive(weekly, on: controls[0])
                    let subject = TimerSubjects.cron(flowId: weekly.id)
                    try await harness.waitUntil("the next firing scheduled") { try await controls[0].hasSchedule(on: subject) }

                    // The firing as the server delivers it (for a Monday 07:00 Zürich time).
                    let instant = try #require(FlowTime.parse("2026-11-30T06:00:00Z"))
                    let firing = TimerFiring(kind: .cron, flowId: weekly.id, dueAt: instant)
                    _ = try await harness.jetStream.publish(TimerSubjects.fired(.cron), payload: try firing.encoded())
                    let (_, state) = try await harness.waitForRun(of: weekly.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    #expect(state.data.value(at: ["schedule", "scheduledFor"]) == "2026-11-30T06:00:00Z")
                    let mails = try await harness.outbox()
                    // The harness seeds the Zürich site only: its two admins get one mail.
                    #expect(mails.count == 1)
                    #expect(mails.first?.to.contains("grace@almanac.example") == true)
                    #expect(mails.first?.to.contains("zh-facilities@almanac.example") == true)
                    #expect(mails.first?.subject == "Zürich Campus: report")
                    #expect(try await controls[0].hasSchedule(on: subject))
                }
            }
        }
    }
}

