import Flows
import Foundation
import Testing

@Suite("Step traces: rendered inputs without secrets, timings stamped on the attempt's events")
struct StepTraceTests {
    /// One step of every kind that renders templates, each reading a secret somewhere.
    static let secretSteps: [FlowStep] = [
        FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Key {{secrets.mail_key}}",
                                                             body: "Hello {{person.name}}, token {{secrets.mail_key}}"))),
        FlowStep(id: "call", action: .httpRequest(HTTPRequestStep(method: .POST, url: "https://hooks.example.com/x?key={{secrets.api_key}}",
                                                                   headers: ["Authorization": "Bearer {{secrets.api_key}}", "X-Trace": "{{secrets.api_key}}"],
                                                                   body: #"{"booking":"{{booking.bookingId}}","key":"{{secrets.api_key}}"}"#))),
        FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .cancel, reason: "cancelled with {{secrets.reason_code}}"))),
        FlowStep(id: "announce", action: .publishEvent(PublishEventStep(eventType: "desk_released", data: ["key": "{{secrets.api_key}}",
                                                                                                             "booking": "{{booking.bookingId}}"]))),
        FlowStep(id: "ask", action: .approval(ApprovalStep(approvers: ["role:admin"], message: "Use {{secrets.api_key}}?", decideWithin: "1h",
                                                           defaultOutcome: .rejected))),
    ]

    static let data: FlowValue = [
        "booking": ["bookingId": "bk-1", "resourceId": "desk-1"],
        "person": ["name": "Ada", "email": "ada@example.com"],
        // Whatever a caller passes as secrets, the trace must not show it.
        "secrets": ["api_key": "s3cr3t-key-42", "mail_key": "m41l-key", "reason_code": "rc-secret"],
    ]

    @Test func givenASecretInEveryKindOfStep_whenTheFlowIsValidated_thenSecretsAreValidTemplateVariables() {
        let flow = placedFlow(Self.secretSteps)
        #expect(FlowValidator.validate(flow) == [])
        for step in Self.secretSteps {
            #expect(FlowValidator.validate(placedFlow([step])) == [], "\(step.id)")
        }
    }

    @Test func givenStepsReadingSecrets_whenTheirTraceInputsAreRendered_thenNoSecretAppearsAndEveryOtherValueDoes() throws {
        for step in Self.secretSteps {
            let inputs = step.traceInputs(over: Self.data)
            let text = String(decoding: try JSONEncoder().encode(inputs), as: UTF8.self)
            for secret in ["s3cr3t-key-42", "m41l-key", "rc-secret"] { #expect(!text.contains(secret), "\(step.id): \(text)") }
            #expect(!text.contains("{{secrets."), "\(step.id): \(text)")
        }
        let mail = Self.secretSteps[0].traceInputs(over: Self.data)
        #expect(mail.value(at: ["to"]) == ["ada@example.com"])
        #expect(mail.value(at: ["subject"]) == "Key [redacted]")
        #expect(mail.value(at: ["body"]) == "Hello Ada, token [redacted]")
        let call = Self.secretSteps[1].traceInputs(over: Self.data)
        #expect(call.value(at: ["headers", "Authorization"]) == "[redacted]")
        #expect(call.value(at: ["headers", "X-Trace"]) == "[redacted]")
        #expect(call.value(at: ["url"]) == "https://hooks.example.com/x?key=[redacted]")
        #expect(call.value(at: ["body"]) == #"{"booking":"bk-1","key":"[redacted]"}"#)
        let release = Self.secretSteps[2].traceInputs(over: Self.data)
        #expect(release.value(at: ["bookingId"]) == "bk-1")
        #expect(release.value(at: ["resourceId"]) == "desk-1")
        #expect(release.value(at: ["reason"]) == "cancelled with [redacted]")
        let announce = Self.secretSteps[3].traceInputs(over: Self.data)
        #expect(announce.value(at: ["data", "booking"]) == "bk-1")
        #expect(announce.value(at: ["data", "key"]) == "[redacted]")
    }

    @Test func givenATemplateThatRendersAnInvalidAddress_whenTraceInputsAreRendered_thenTheTraceShowsWhatItRenderedTo() {
        let step = FlowStep(id: "mail", action: .sendEmail(SendEmailStep(to: ["{{person.name}}"], subject: "Hi", body: "Hello")))
        #expect(step.traceInputs(over: Self.data).value(at: ["to"]) == ["Ada"])
    }

    @Test func givenADecisionAfterAnAttempt_whenTheRuntimeStampsIt_thenOnlyThatAttemptsEventsCarryTheTimes() {
        let at = Date(timeIntervalSince1970: 1_773_129_600)
        let events: [RunEvent] = [
            .stepStarted(StepStarted(runId: "r1", stepId: "mail", attempt: 2)),
            .stepSucceeded(StepSucceeded(runId: "r1", stepId: "mail", attempt: 2)),
            .stepSucceeded(StepSucceeded(runId: "r1", stepId: "route", attempt: 1)),
            .stepFailed(StepFailed(runId: "r1", stepId: "mail", attempt: 1, error: StepError(kind: .network, message: "reset"), willRetry: true)),
        ]
        let started = events.map { $0.stampingStart(stepId: "mail", attempt: 2, at: at, inputs: ["to": ["ada@example.com"]]) }
        #expect(started[0] == .stepStarted(StepStarted(runId: "r1", stepId: "mail", attempt: 2, startedAt: at, inputs: ["to": ["ada@example.com"]])))
        #expect(Array(started.dropFirst()) == Array(events.dropFirst()))
        let finished = events.map { $0.stampingFinish(stepId: "mail", attempt: 2, at: at, durationMs: 12) }
        #expect(finished[1] == .stepSucceeded(StepSucceeded(runId: "r1", stepId: "mail", attempt: 2, finishedAt: at, durationMs: 12)))
        #expect(finished[0] == events[0])
        #expect(finished[2] == events[2], "a branch settled in the same decision is not the attempt")
        #expect(finished[3] == events[3], "an earlier attempt is not this one")
    }
}
