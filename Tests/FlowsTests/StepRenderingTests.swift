import Flows
import Foundation
import Testing

@Suite("Starter flows, triggered and rendered")
struct StepRenderingTests {
    func starter(_ name: String) throws -> FlowDefinition {
        try FlowDefinition(parsing: try String(contentsOf: starterFlowsFolder.appendingPathComponent(name), encoding: .utf8))
    }

    let data: FlowValue = [
        "booking": ["bookingId": "bk-1", "resourceId": "zh-desk-001", "kind": "desk", "start": "2026-03-10T08:00:00Z", "end": "2026-03-10T16:00:00Z",
                    "startLocal": "Tue 10 Mar 2026 09:00", "endLocal": "Tue 10 Mar 2026 17:00", "checkedIn": false],
        "person": ["name": "Ada", "email": "ada@example.com"],
        "resource": ["name": "Desk 1"],
        "site": ["name": "Zürich Campus", "timeZone": "Europe/Zurich"],
        "installation": ["url": "https://almanac.example.com"],
    ]

    @Test("given a placed booking, then the confirmation flow matches and renders a mail to the booker, unescaped")
    func confirmation() throws {
        let flow = try starter("booking-confirmation.yaml")
        guard case .bookingEvent(let trigger) = flow.trigger, case .sendEmail(let mail) = flow.steps[0].action else { Issue.record("shape"); return }
        #expect(try trigger.matches(eventType: "booking.placed", data: data, now: utc("2026-03-09T08:00:00Z")))
        #expect(try !trigger.matches(eventType: "booking.cancelled", data: data, now: utc("2026-03-09T08:00:00Z")))
        let rendered = try mail.rendered(over: data)
        #expect(rendered.to == ["ada@example.com"])
        #expect(rendered.subject == "Booked: Desk 1 on Tue 10 Mar 2026 09:00")
        #expect(rendered.body.contains("Desk 1 at Zürich Campus is booked for you\nfrom Tue 10 Mar 2026 09:00 to Tue 10 Mar 2026 17:00 (Europe/Zurich)."))
    }

    @Test("given a person without a usable address, when the mail renders, then the step fails with a clear, non-retryable error")
    func invalidAddress() throws {
        guard case .sendEmail(let mail) = try starter("booking-confirmation.yaml").steps[0].action else { Issue.record("shape"); return }
        let bad = data.setting("Ada Lovelace", at: ["person", "email"])
        #expect(throws: StepError(kind: .invalidInput, message: "to[0] '{{person.email}}' rendered 'Ada Lovelace' is not an email address (expected name@example.com)")) {
            try mail.rendered(over: bad)
        }
        #expect(!(RetryPolicy.standard.retries(.invalidInput, afterAttempt: 1)))
    }

    @Test("given a desk booking, then the no-show flow is due 15 minutes after start, runs only if nobody checked in, and releases that booking")
    func noShow() throws {
        let flow = try starter("desk-no-show-release.yaml")
        guard case .bookingTime(let trigger) = flow.trigger, case .bookingCommand(let command) = flow.steps[0].action else { Issue.record("shape"); return }
        #expect(trigger.dueAt(for: data) == utc("2026-03-10T08:15:00Z"))
        #expect(try trigger.passes(data: data, now: utc("2026-03-10T08:15:00Z")))
        #expect(try !trigger.passes(data: data.setting(true, at: ["booking", "checkedIn"]), now: utc("2026-03-10T08:15:00Z")))
        #expect(try !trigger.passes(data: data.setting("room", at: ["booking", "kind"]), now: utc("2026-03-10T08:15:00Z")))
        #expect(try command.rendered(over: data) == RenderedBookingCommand(command: .releaseNoShow, bookingId: "bk-1", resourceId: "zh-desk-001", reason: nil))
        #expect(throws: StepError.self) { try command.rendered(over: data.setting("bk 1", at: ["booking", "bookingId"])) }
    }

    @Test("the reminder is due 24 hours before start; the weekly report fires Mondays at 07:00 Zürich time")
    func timers() throws {
        guard case .bookingTime(let reminder) = try starter("booking-reminder.yaml").trigger,
              case .schedule(let weekly) = try starter("weekly-utilisation-report.yaml").trigger else { Issue.record("shape"); return }
        #expect(reminder.dueAt(for: data) == utc("2026-03-09T08:00:00Z"))
        #expect(weekly.nextFire(after: utc("2026-03-27T12:00:00Z")) == utc("2026-03-30T05:00:00Z")) // first Monday of summer time
    }

    @Test("an HTTP step renders to a checked URL; a URL that renders to something else is invalid input")
    func http() throws {
        let step = HTTPRequestStep(method: .GET, url: "{{installation.url}}/api/sites/{{site.id}}", headers: ["Authorization": "Bearer {{secrets.token}}"])
        let rendered = try step.rendered(over: data.setting("zurich", at: ["site", "id"]).setting("s3cret", at: ["secrets", "token"]))
        #expect(rendered.url.absoluteString == "https://almanac.example.com/api/sites/zurich")
        #expect(rendered.headers == ["Authorization": "Bearer s3cret"])
        #expect(throws: StepError.self) { try step.rendered(over: data.setting("almanac", at: ["installation", "url"])) }
    }
}
