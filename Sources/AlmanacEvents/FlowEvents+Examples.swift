import Flows
import Foundation

/// Realistic examples of every flow and run event (optional fields both present and absent
/// somewhere), for the contract tests and as documentation of the wire format.
public enum FlowEventExamples {
    static let at = Date(timeIntervalSince1970: 1_773_129_600) // 2026-03-10T08:00:00Z
    static let runId = RunIdentity.runId(flowId: "booking-confirmation", flowVersion: 1, triggerKey: "evt-7f3a")

    public static let confirmation = FlowDefinition(
        id: "booking-confirmation", name: "Booking confirmation", description: "Mails the booker the details of a new booking.",
        trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"], filter: "booking.kind != 'parking_space'")),
        steps: [FlowStep(id: "confirm", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Booked: {{resource.name}}",
                                                                         body: "Hello {{person.name}}, see you {{booking.startLocal}}.")),
                         timeout: "30s", retry: RetryPolicy(attempts: 5, initialDelay: "10s", multiplier: 2, maxDelay: "5m", jitter: 0.2,
                                                            retryOn: [.timeout, .network, .rateLimited, .serverError]))])

    /// Every trigger and step kind, so the event schemas see them all.
    public static let everyKind = FlowDefinition(
        id: "no-show-review", name: "No-show review",
        trigger: .manual(ManualTrigger(label: "Review", inputs: [ManualInput(name: "bookingId", type: .booking, label: "Booking", required: true),
                                                                  ManualInput(name: "resourceId", type: .text)])),
        steps: [
            FlowStep(id: "ask", action: .approval(ApprovalStep(approvers: ["facilities@example.com", "role:admin"], message: "Release {{input.bookingId}}?",
                                                               decideWithin: "2h", defaultOutcome: .rejected, onApproved: "pause", onRejected: "end"))),
            FlowStep(id: "pause", action: .wait(WaitStep(duration: "15m"))),
            FlowStep(id: "route", action: .branch(BranchStep(cases: [BranchStep.Case(when: "now > '2026-01-01T00:00:00Z'", next: "release")], otherwise: "end"))),
            FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow, bookingId: "{{input.bookingId}}",
                                                                               resourceId: "{{input.resourceId}}"))),
            FlowStep(id: "hook", action: .httpRequest(HTTPRequestStep(method: .POST, url: "https://hooks.example.com/released",
                                                                      headers: ["Authorization": "Bearer {{secrets.hookToken}}"],
                                                                      body: "{{input.bookingId}}", expectStatus: [200, 202])), timeout: "20s"),
            FlowStep(id: "announce", action: .publishEvent(PublishEventStep(eventType: "desk_released", data: ["bookingId": "{{input.bookingId}}"]))),
            FlowStep(id: "later", action: .wait(WaitStep(until: "now + 1h"))),
        ])
    public static let reminder = FlowDefinition(
        id: "booking-reminder", name: "Reminder", trigger: .bookingTime(BookingTimeTrigger(field: "start", before: "24h")),
        steps: [FlowStep(id: "remind", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], cc: ["desk@example.com"], from: "almanac@example.com",
                                                                        subject: "Tomorrow", body: "Reminder", html: "<p>Reminder</p>")))])
    public static let report = FlowDefinition(
        id: "weekly-report", name: "Weekly report", trigger: .schedule(ScheduleTrigger(cron: "0 7 * * MON", timeZone: "Europe/Zurich", forEach: "site")),
        steps: [FlowStep(id: "report", action: .sendEmail(SendEmailStep(to: ["{{site.adminEmails}}"], subject: "Report", body: "Report")))])

    public static let created = FlowCreated(flowId: "booking-confirmation", name: "Booking confirmation", createdBy: "editor@example.com")
    public static let draftsSaved = [
        FlowDraftSaved(flowId: "booking-confirmation", revision: 1, definition: confirmation, savedBy: "editor@example.com"),
        FlowDraftSaved(flowId: "no-show-review", revision: 3, definition: everyKind, savedBy: "editor@example.com"),
        FlowDraftSaved(flowId: "booking-reminder", revision: 1, definition: reminder, savedBy: "almanac-dev"),
        FlowDraftSaved(flowId: "weekly-report", revision: 1, definition: report, savedBy: "almanac-dev"),
    ]
    public static let published = FlowPublished(flowId: "booking-confirmation", version: 1, definition: confirmation, publishedBy: "editor@example.com")
    public static let archived = FlowArchived(flowId: "booking-confirmation", archivedBy: "editor@example.com")

    static let triggerData: FlowValue = [
        "booking": ["bookingId": "bk-7f3a", "resourceId": "zh-desk-001", "siteId": "zurich", "personId": "ada", "kind": "desk",
                    "start": "2026-03-10T08:00:00.000Z", "end": "2026-03-10T16:00:00.000Z", "startLocal": "Tue 10 Mar 2026 09:00",
                    "attendees": 1, "bookerTimeZone": "Europe/London", "checkedIn": false],
        "person": ["id": "ada", "name": "Ada Lovelace", "email": "ada@example.com"],
        "event": ["id": "evt-7f3a", "type": "booking.placed", "occurredAt": "2026-03-09T12:00:00.000Z", "actor": "ada", "data": [:]],
        "flow": ["id": "booking-confirmation", "name": "Booking confirmation", "version": 1],
        "run": ["id": .string(runId)],
    ]
    public static let runsStarted = [
        RunStarted(runId: runId, flowId: "booking-confirmation", flowVersion: 1, triggerKey: "evt-7f3a", triggerType: "booking_event", data: triggerData),
        RunStarted(runId: "manual-1", flowId: "no-show-review", flowVersion: 2, triggerKey: "button:editor@example.com:2026-03-10T08:00:00Z",
                   triggerType: "manual", data: ["input": ["bookingId": "bk-7f3a", "resourceId": "zh-desk-001"], "actor": ["id": "ed"]]),
    ]
    public static let stepsScheduled = [
        StepScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 1, timeoutSeconds: 30),
        StepScheduled(runId: "manual-1", stepId: "pause", kind: .wait, attempt: 1, runAt: at.addingTimeInterval(900), timeoutSeconds: 0),
    ]
    public static let stepStarted = StepStarted(runId: runId, stepId: "confirm", attempt: 1)
    /// Version 1 (no trace fields) and version 2 as the runtime writes it.
    public static let stepsStarted = [
        stepStarted,
        StepStarted(runId: runId, stepId: "confirm", attempt: 2, startedAt: at.addingTimeInterval(12),
                    inputs: ["to": ["ada@example.com"], "subject": "Booked: Desk 1", "body": "Hello Ada Lovelace, see you Tue 10 Mar 2026 09:00."]),
        StepStarted(runId: "manual-1", stepId: "hook", attempt: 1, startedAt: at,
                    inputs: ["method": "POST", "url": "https://hooks.example.com/released", "headers": ["Authorization": "[redacted]"], "body": "bk-7f3a"]),
    ]
    public static let stepsSucceeded = [
        StepSucceeded(runId: runId, stepId: "confirm", attempt: 2, output: ["messageId": "<r1.confirm.2@almanac.example.com>", "transport": "graph"],
                      finishedAt: at.addingTimeInterval(12.2125), durationMs: 212.5),
        StepSucceeded(runId: "manual-1", stepId: "pause", attempt: 1),
        StepSucceeded(runId: "manual-1", stepId: "route", attempt: 1, output: ["next": "release", "case": 1]),
    ]
    public static let stepsFailed = [
        StepFailed(runId: runId, stepId: "confirm", attempt: 1, error: StepError(kind: .rateLimited, message: "Graph answered 429, retry after 30 s"), willRetry: true,
                   finishedAt: at.addingTimeInterval(0.4), durationMs: 401),
        StepFailed(runId: runId, stepId: "confirm", attempt: 5, error: StepError(kind: .invalidInput, message: "'Ada' is not an email address"), willRetry: false),
    ]
    public static let retryScheduled = StepRetryScheduled(runId: runId, stepId: "confirm", kind: .sendEmail, attempt: 2, runAt: at.addingTimeInterval(12), timeoutSeconds: 30)
    public static let approvalRequested = ApprovalRequested(runId: "manual-1", stepId: "ask", approvers: ["facilities@example.com", "role:admin"],
                                                            message: "Release bk-7f3a?", deadline: at.addingTimeInterval(7200), defaultOutcome: .rejected)
    public static let approvalsDecided = [
        ApprovalDecided(runId: "manual-1", stepId: "ask", outcome: .approved, decidedBy: "facilities@example.com", comment: "nobody came"),
        ApprovalDecided(runId: "manual-1", stepId: "ask", outcome: .rejected, timedOut: true),
    ]
    public static let completed = RunCompleted(runId: runId)
    public static let failed = [
        RunFailed(runId: runId, stepId: "confirm", reason: "step 'confirm' failed after 5 attempts: Graph answered 503"),
        RunFailed(runId: runId, stepId: nil, reason: "the flow has no step 'gone'"),
    ]
    public static let cancelled = RunCancelled(runId: runId, reason: "booking bk-7f3a was cancelled", cancelledBy: "flow-control")
    public static let retried = RunRetried(runId: runId, fromStepId: "confirm", retriedBy: "editor@example.com")
}
