import AlmanacEvents
import BookingService
import EventStore
import Flows
import Foundation
import Logging
import NATSClient

extension FlowControl {
    /// Cron flows: one pending `@at` per live flow for its next firing, set again on every
    /// firing. (nats-server 2.15 also runs cron schedules with a time zone itself; an `@at` per
    /// firing keeps the cron dialect the validator checks — five fields, ours — the only one.)
    func armCronTimers() async throws {
        for published in await flows.live() {
            guard case .schedule(let trigger) = published.definition.trigger, let next = trigger.nextFire(after: now()) else { continue }
            let subject = TimerSubjects.cron(flowId: published.definition.id)
            if try await hasSchedule(on: subject) { continue }
            try await schedule(TimerFiring(kind: .cron, flowId: published.definition.id, dueAt: next), on: subject)
        }
    }

    func cronTimerFired(_ firing: TimerFiring) async throws {
        guard let published = await flows.live(firing.flowId), case .schedule(let trigger) = published.definition.trigger else { return }
        // The next one first: a crash after this point loses no later firing.
        if let next = trigger.nextFire(after: max(firing.dueAt, now())) {
            try await schedule(TimerFiring(kind: .cron, flowId: firing.flowId, dueAt: next), on: TimerSubjects.cron(flowId: firing.flowId))
        }
        let instant = FlowTime.format(firing.dueAt)
        let schedule: FlowValue = ["schedule": ["scheduledFor": .string(instant), "timeZone": .string(trigger.timeZone)]]
        if trigger.forEach == "site" {
            for siteId in try await siteIds() {
                let site = try await aggregates.site(siteId)
                let admins = try await siteAdmins.emails(of: siteId, subject: try BookingSubjects.site(siteId))
                let data = TriggerData.merge(common(), schedule, ["site": TriggerData.site(site, id: siteId, adminEmails: admins)])
                _ = try await startRun(published.definition, version: published.version, triggerKey: "\(instant)/\(siteId)", data: data)
            }
        } else {
            _ = try await startRun(published.definition, version: published.version, triggerKey: instant, data: TriggerData.merge(common(), schedule))
        }
    }

    /// Every site that has a `site.created` (their subjects in BOOKINGS).
    func siteIds() async throws -> [String] {
        var ids: Set<String> = []
        for try await batch in try await bookings.subscribe(filter: "bookings.site.*", from: 1, mode: .untilCaughtUp) {
            for event in batch { ids.insert(String(event.subject.split(separator: ".").last ?? "")) }
        }
        return ids.sorted()
    }
}
