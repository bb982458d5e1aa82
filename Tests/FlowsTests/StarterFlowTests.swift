import Flows
import Foundation
import Testing

@Suite("Starter flows in deploy/flows")
struct StarterFlowTests {
    @Test("each starter flow reads and validates without errors, and its id is its file name")
    func eachStarterFlowIsValid() throws {
        let files = try starterFlowFiles()
        #expect(files.map(\.lastPathComponent) == ["booking-confirmation.yaml", "booking-reminder.yaml",
                                                   "desk-no-show-release.yaml", "weekly-utilisation-report.yaml"])
        for file in files {
            let flow = try FlowDefinition(parsing: try String(contentsOf: file, encoding: .utf8))
            #expect(FlowValidator.validate(flow) == [], "\(file.lastPathComponent)")
            #expect(flow.id + ".yaml" == file.lastPathComponent)
        }
    }

    @Test("the shipped flows have the triggers the issue asks for")
    func triggers() throws {
        func load(_ name: String) throws -> FlowDefinition {
            try FlowDefinition(parsing: try String(contentsOf: starterFlowsFolder.appendingPathComponent(name), encoding: .utf8))
        }
        #expect(try load("booking-confirmation.yaml").trigger == .bookingEvent(BookingEventTrigger(events: ["booking.placed"])))
        #expect(try load("booking-reminder.yaml").trigger == .bookingTime(BookingTimeTrigger(field: "start", before: "24h")))
        let release = try load("desk-no-show-release.yaml")
        guard case .bookingTime(let relative) = release.trigger else { Issue.record("not relative to the booking"); return }
        #expect(relative.after == "15m")
        #expect(release.steps.first?.action == .bookingCommand(BookingCommandStep(command: .releaseNoShow, bookingId: "{{booking.bookingId}}",
                                                                                 resourceId: "{{booking.resourceId}}")))
        guard case .schedule(let schedule) = try load("weekly-utilisation-report.yaml").trigger else { Issue.record("not a schedule"); return }
        #expect(schedule.forEach == "site")
        #expect(try CronSchedule(parsing: schedule.cron).nextFire(after: utc("2026-03-10T12:00:00Z"), in: TimeZone(identifier: schedule.timeZone)!)
                == utc("2026-03-16T06:00:00Z"))
    }
}
