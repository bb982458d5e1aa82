import Flows
import Foundation
import TestSupport

func utc(_ text: String) -> Date { FlowTime.parse(text)! }

/// Where the starter flows live.
let starterFlowsFolder = SchemaCheck.repositoryRoot.appendingPathComponent("deploy/flows")
let flowSchema = SchemaCheck.repositoryRoot.appendingPathComponent("schemas/flows/flow.schema.json")

func starterFlowFiles() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: starterFlowsFolder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// A flow started by a placed booking, for validator tests to bend.
func placedFlow(_ steps: [FlowStep]) -> FlowDefinition {
    FlowDefinition(id: "test-flow", name: "Test flow", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])), steps: steps)
}

func mail(_ id: String, to: String = "{{person.email}}", subject: String = "Hi", body: String = "Hello {{person.name}}", next: String? = nil) -> FlowStep {
    FlowStep(id: id, action: .sendEmail(SendEmailStep(to: [to], subject: subject, body: body)), next: next)
}

/// One definition with every trigger option and step kind, for the schema and round-trip tests.
let everyKindYAML = """
id: every-kind
name: Every kind of step
trigger:
  type: manual
  label: Run the tour
  inputs:
    - name: bookingId
      type: booking
      required: true
    - name: resourceId
      type: text
    - name: notify
      type: email
steps:
  - id: ask
    type: approval
    approvers: ["facilities@example.com", "role:admin"]
    message: "{{actor.name}} wants to release {{input.bookingId}}"
    decideWithin: 2d
    defaultOutcome: rejected
    onRejected: end
  - id: pause
    type: wait
    duration: PT15M
  - id: check
    type: branch
    cases:
      - when: input.notify != null and now > '2026-01-01T00:00:00Z'
        next: fetch
    otherwise: release
  - id: fetch
    type: http_request
    method: POST
    url: "https://hooks.example.com/almanac/{{input.bookingId}}"
    headers:
      Authorization: "Bearer {{secrets.hookToken}}"
    body: '{"booking": "{{input.bookingId}}"}'
    expectStatus: [200, 202]
    timeout: 20s
    retry:
      attempts: 4
      initialDelay: 5s
      multiplier: 3
      maxDelay: 1m
      jitter: 0.5
      retryOn: [timeout, server_error]
  - id: release
    type: booking_command
    command: release_no_show
    bookingId: "{{input.bookingId}}"
    resourceId: "{{input.resourceId}}"
  - id: announce
    type: publish_event
    eventType: desk_released
    data:
      bookingId: "{{input.bookingId}}"
      status: "{{steps.fetch.output.status}}"
  - id: until-later
    type: wait
    until: now + 1h
  - id: tell
    type: send_email
    to: ["{{input.notify}}"]
    cc: ["facilities@example.com"]
    from: almanac@example.com
    subject: Released
    body: "{{input.bookingId}} was released by {{actor.name}}."
    html: "<p>{{input.bookingId}} was released.</p>"
    next: end
"""
