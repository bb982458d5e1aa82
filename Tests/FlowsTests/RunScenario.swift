import Flows
import Foundation

/// Given/When/Then over the run decider: events so far, a command, the events (or rejection) decided.
struct RunScenario {
    var flow: FlowDefinition
    var given: [RunEvent] = []
    var now = utc("2026-03-10T08:00:00Z")
    var unitRandom = 0.5

    var state: RunState { RunState.evolve(RunState(), with: given) }

    func when(_ command: RunCommand) -> Result<[RunEvent], RunRejection> {
        RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: now, unitRandom: unitRandom))
    }

    /// Decides and appends, for building longer histories; fails the test on a rejection.
    mutating func then(_ command: RunCommand) throws -> [RunEvent] {
        let events = try when(command).get()
        given += events
        return events
    }
}

let runId = "run-1"
let bookingData: FlowValue = [
    "booking": ["bookingId": "bk-1", "resourceId": "desk-1", "kind": "desk", "attendees": 1, "start": "2026-03-10T09:00:00Z", "checkedIn": false],
    "person": ["name": "Ada", "email": "ada@example.com"],
]

/// Place → (branch on kind) → mail, or → release.
let deskFlow = FlowDefinition(id: "desk-flow", name: "Desk flow", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])), steps: [
    FlowStep(id: "route", action: .branch(BranchStep(cases: [BranchStep.Case(when: "booking.kind == 'room'", next: "release")]))),
    FlowStep(id: "confirm", action: .sendEmail(SendEmailStep(to: ["{{person.email}}"], subject: "Booked", body: "Hello {{person.name}}")),
             next: "end", timeout: "20s", retry: RetryPolicy(attempts: 3, initialDelay: "10s", multiplier: 2, jitter: 0.5)),
    FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow))),
])

func started(_ flow: FlowDefinition = deskFlow, data: FlowValue = bookingData) -> RunEvent {
    var data = data
    data = data.setting(.string(flow.id), at: ["flow", "id"]).setting(.string(flow.name), at: ["flow", "name"])
        .setting(1, at: ["flow", "version"]).setting(.string(runId), at: ["run", "id"])
    return .started(RunStarted(runId: runId, flowId: flow.id, flowVersion: 1, triggerKey: "evt-1", triggerType: flow.trigger.type, data: data))
}
