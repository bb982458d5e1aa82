import Flows
import Foundation
import Testing

@Suite("Flow validation lists every error with its path")
struct FlowValidatorTests {
    @Test("given a definition with many mistakes, when validated, then each is listed with its path and a readable message")
    func everyErrorListed() throws {
        let yaml = """
        id: bad.flow
        name: Bad
        trigger:
          type: booking_event
          events: [booking.placed, booking.exploded]
          filter: booking.kind = 'desk'
        steps:
          - id: first
            type: send_email
            to: ["ada@", "{{person.email}}", "{{person.phone}}"]
            subject: "Booked {{resource.nme}}"
            body: "Hello"
            timeout: 5 minutes
            next: nowhere
          - id: first
            type: wait
            duration: 15x
          - id: orphan
            type: http_request
            method: GET
            url: ftp://example.com/x
            retry: {attempts: 0, jitter: 2}
        """
        let errors = FlowValidator.validate(try FlowDefinition(parsing: yaml))
        let paths = errors.map(\.path)
        #expect(paths.contains("id"))
        #expect(paths.contains("trigger.events[1]"))
        #expect(paths.contains("trigger.filter"))
        #expect(paths.contains("steps[0].to[0]"))
        #expect(paths.contains("steps[0].to[2]"))
        #expect(!paths.contains("steps[0].to[1]"))
        #expect(paths.contains("steps[0].subject"))
        #expect(paths.contains("steps[0].timeout"))
        #expect(paths.contains("steps[0].next"))
        #expect(paths.contains("steps[1].id"))
        #expect(paths.contains("steps[1].duration"))
        #expect(paths.contains("steps[2].url"))
        #expect(paths.contains("steps[2].retry.attempts"))
        #expect(paths.contains("steps[2].retry.jitter"))
        // Nothing leads to steps 1 and 2 once step 0 goes 'nowhere'.
        #expect(paths.contains("steps[1]") && paths.contains("steps[2]"))
        let byPath = Dictionary(grouping: errors, by: \.path).mapValues { $0.map(\.message).joined(separator: " | ") }
        #expect(byPath["steps[0].to[0]"] == "'ada@' is not an email address (expected name@example.com)")
        #expect(byPath["steps[0].to[2]"]?.contains("'person.phone' is not provided by this flow's booking_event trigger") == true)
        #expect(byPath["steps[0].subject"]?.contains("'resource.nme'") == true)
        #expect(byPath["steps[0].next"]?.contains("'nowhere', which does not exist") == true)
        #expect(byPath["steps[1].id"] == "'first' is already the id of steps[0]")
        #expect(byPath["trigger.filter"]?.contains("column 14") == true)
        #expect(byPath["trigger.filter"]?.contains("==") == true)
    }

    @Test("given a loop without a wait, then it is refused; given the same loop through a wait, then it is fine")
    func loopWithoutWait() {
        let spinning = placedFlow([
            mail("a"),
            FlowStep(id: "b", action: .branch(BranchStep(cases: [BranchStep.Case(when: "booking.attendees > 2", next: "a")], otherwise: "end"))),
        ])
        let errors = FlowValidator.validate(spinning)
        #expect(errors.count == 1)
        #expect(errors.first?.path == "steps[0]")
        #expect(errors.first?.message.contains("loop a → b → a has no wait or approval step") == true)

        let pausing = placedFlow([
            mail("a"),
            FlowStep(id: "pause", action: .wait(WaitStep(duration: "1h"))),
            FlowStep(id: "b", action: .branch(BranchStep(cases: [BranchStep.Case(when: "booking.attendees > 2", next: "a")], otherwise: "end"))),
        ])
        #expect(FlowValidator.validate(pausing) == [])
    }

    @Test("given a step nothing leads to, then it is reported as unreachable")
    func unreachable() {
        let flow = placedFlow([mail("a", next: "end"), mail("b")])
        #expect(FlowValidator.validate(flow) == [FlowValidationError(path: "steps[1]", message: "step 'b' is never reached from the first step 'a'")])
    }

    @Test("given a bad cron, a bad time zone and an unknown trigger variable, then each is reported")
    func scheduleTrigger() {
        let flow = FlowDefinition(id: "report", name: "Report", trigger: .schedule(ScheduleTrigger(cron: "0 25 * * MON", timeZone: "Mars/Olympus")),
                                  steps: [mail("send", to: "admins@example.com", body: "{{booking.start}} {{schedule.scheduledFor}}")])
        let errors = FlowValidator.validate(flow)
        #expect(errors.map(\.path) == ["trigger.cron", "trigger.timeZone", "steps[0].body"])
        #expect(errors[0].message.contains("hour 25 is outside 0-23"))
        #expect(errors[2].message.contains("'booking.start' is not provided by this flow's schedule trigger"))
    }

    @Test("manual inputs are variables; a booking command needs ids when no booking triggers the flow")
    func manualTrigger() {
        let flow = FlowDefinition(id: "button", name: "Button", trigger: .manual(ManualTrigger(inputs: [
            ManualInput(name: "bookingId", type: .booking), ManualInput(name: "bookingId", type: .text),
        ])), steps: [FlowStep(id: "release", action: .bookingCommand(BookingCommandStep(command: .releaseNoShow, bookingId: "{{input.bookingId}}")))])
        #expect(FlowValidator.validate(flow).map(\.path) == ["trigger.inputs[1].name", "steps[0].resourceId"])
    }

    @Test("templates inside sections resolve against the section; an unclosed section is a syntax error with its place")
    func templateSections() {
        let fine = placedFlow([mail("a", body: "{{#person}}Hello {{name}}{{/person}}{{^person.email}}no mail{{/person.email}}")])
        #expect(FlowValidator.validate(fine) == [])
        let broken = placedFlow([mail("a", body: "Hello {{#person}}{{name}}")])
        let errors = FlowValidator.validate(broken)
        #expect(errors.map(\.path) == ["steps[0].body"])
        #expect(errors.first?.message.contains("never closed") == true)
    }

    @Test("a template may read an earlier step's output, not a step that does not exist")
    func stepOutputs() {
        let flow = placedFlow([
            FlowStep(id: "lookup", action: .httpRequest(HTTPRequestStep(method: .GET, url: "https://example.com/people/{{booking.personId}}"))),
            mail("a", body: "{{steps.lookup.output.json.name}} {{steps.lokup.output.json.name}}"),
        ])
        let errors = FlowValidator.validate(flow)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("steps.lokup.output.json.name") == true)
    }
}
