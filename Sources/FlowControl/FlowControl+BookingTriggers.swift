import AlmanacEvents
import Booking
import BookingService
import EventStore
import FlowWork
import Flows
import Foundation
import Logging
import NATSClient

extension FlowControl {
    /// A message of the BOOKINGS consumer (resource subjects): starts the runs of every live
    /// `booking_event` flow whose trigger matches, and sets, replaces or removes the timers of
    /// every live `booking_time` flow for the booking.
    @Sendable func handleBookingMessage(_ message: JetStreamMessage) async throws -> Disposition {
        let recorded = try bookings.registry.decode(message.message)
        guard let event = BookingEvent(payload: recorded.event), let bookingId = event.bookingId else { return .ack }
        let live = await flows.live()
        // The booking as of this event: a later check-in or cancellation must not leak into a
        // run triggered by an earlier event.
        let facts = try await bookingFacts(bookingId, resourceId: String(recorded.subject.split(separator: ".").last ?? ""), upTo: recorded.sequence)
        let site = facts.siteId.isEmpty ? nil : try? await aggregates.site(facts.siteId)

        if BookingTriggerEvents.all.contains(recorded.envelope.type) {
            let data = TriggerData.merge(common(), TriggerData.booking(facts, site: site), eventData(recorded, body: message.message.payload))
            for published in live {
                guard case .bookingEvent(let trigger) = published.definition.trigger else { continue }
                let matches: Bool
                do {
                    matches = try trigger.matches(eventType: recorded.envelope.type, data: data, now: now())
                } catch {
                    // A filter that cannot be evaluated on this data: reported, never retried.
                    logger.error("trigger filter could not be evaluated; no run started",
                                 metadata: ["flow": "\(published.definition.id)", "event": "\(recorded.envelope.eventId)",
                                            "type": "\(recorded.envelope.type)", "reason": "\(error)"])
                    continue
                }
                guard matches else { continue }
                _ = try await startRun(published.definition, version: published.version, triggerKey: recorded.envelope.eventId, data: data,
                                       actor: recorded.envelope.actor)
            }
        }

        switch event {
        case .bookingPlaced, .bookingRescheduled, .bookingMovedIn:
            try await armBookingTimers(facts, live: live)
        case .bookingCancelled, .bookingReleasedAsNoShow:
            try await disarmBookingTimers(facts, reason: "booking \(bookingId) was \(facts.status == .cancelled ? "cancelled" : "released")",
                                          by: recorded.envelope.actor ?? configuration.actor)
        default:
            // `moved_out` changes nothing: the `moved_in` of the same batch replaces the timers.
            break
        }
        return .ack
    }

    func common() -> FlowValue {
        TriggerData.common(installationName: configuration.installationName, installationURL: configuration.installationURL, now: now())
    }

    /// `event.*` of the triggering event, its body as stored.
    func eventData(_ recorded: RecordedEvent, body bytes: [UInt8]) -> FlowValue {
        let body = (try? JSONDecoder().decode(FlowValue.self, from: Data(bytes))) ?? .object([:])
        return ["event": ["id": .string(recorded.envelope.eventId), "type": .string(recorded.envelope.type),
                          "occurredAt": .string(FlowTime.format(recorded.envelope.occurredAt)),
                          "actor": .string(recorded.envelope.actor ?? ""), "data": body]]
    }

    /// The booking folded from its resource subject (up to `sequence`, or all of it); the
    /// contact of a moved booking comes from the resource it was first placed on.
    func bookingFacts(_ bookingId: BookingID, resourceId: ResourceID, upTo sequence: UInt64? = nil) async throws -> BookingFacts {
        var facts = BookingFacts(bookingId: bookingId, resourceId: resourceId)
        for recorded in try await bookings.read(subject: try BookingSubjects.resource(resourceId)) {
            if let sequence, recorded.sequence > sequence { break }
            if let event = BookingEvent(payload: recorded.event) { facts.apply(event, eventId: recorded.envelope.eventId) }
        }
        var origin = facts.movedFrom
        var hops = 0
        while facts.contact == nil, let from = origin, hops < 8 {
            var earlier = BookingFacts(bookingId: bookingId, resourceId: from)
            for recorded in try await bookings.read(subject: try BookingSubjects.resource(from)) {
                if let event = BookingEvent(payload: recorded.event) { earlier.apply(event, eventId: recorded.envelope.eventId) }
            }
            facts.contact = earlier.contact
            facts.eventIds = earlier.eventIds + facts.eventIds
            origin = earlier.movedFrom
            hops += 1
        }
        return facts
    }

    /// Sets the timer of every live `booking_time` flow for this booking (replacing the one set
    /// before a reschedule or move). A due time already past when the booking is placed fires
    /// at once only while it is still meaningful: before the booking's end (a reminder for a
    /// booking that is over is noise); a due time after the end fires at its time.
    func armBookingTimers(_ facts: BookingFacts, live: [PublishedFlows.Published]) async throws {
        guard facts.status == .active else { return }
        let data = TriggerData.booking(facts, site: nil)
        for published in live {
            guard case .bookingTime(let trigger) = published.definition.trigger, let dueAt = trigger.dueAt(for: data) else { continue }
            let subject = TimerSubjects.booking(flowId: published.definition.id, bookingId: facts.bookingId)
            if dueAt < now(), let end = facts.end, end <= now() {
                try await removeSchedule(on: subject)
                continue
            }
            try await schedule(TimerFiring(kind: .booking, flowId: published.definition.id, dueAt: dueAt, bookingId: facts.bookingId,
                                           resourceId: facts.resourceId), on: subject)
        }
    }

    /// A cancelled (or released) booking: its timers are removed, so its pending timed runs
    /// never start, and its runs that are still waiting are cancelled.
    func disarmBookingTimers(_ facts: BookingFacts, reason: String, by actor: String) async throws {
        for flowId in await flows.allFlowIds() {
            guard let published = await flows.versions(of: flowId).first else { continue }
            if case .bookingTime = published.definition.trigger {
                try await removeSchedule(on: TimerSubjects.booking(flowId: flowId, bookingId: facts.bookingId))
            }
        }
        for subject in await candidateRunSubjects(of: facts) {
            let run = try await loadRun(subject)
            guard run.state.status == .running, let current = run.state.currentStepId,
                  let status = run.state.steps[current]?.status else { continue }
            let kind = (try await definition(run.state.flowId, version: run.state.flowVersion))?.step(current)?.action.kind
            // Waiting = at a wait or an approval; a step the runtime is doing finishes normally.
            guard kind == .wait || status == .awaitingApproval else { continue }
            try await decideOnRun(subject, .cancel(reason: reason, by: actor), idempotencyKey: "cancel/\(run.state.runId)")
            logger.info("waiting run cancelled", metadata: ["run": "\(run.state.runId)", "reason": "\(reason)"])
        }
    }

    /// The run subjects this booking can have started: one per (flow version, booking event) of
    /// booking-event flows and one per (flow version, due time) of booking-time flows. Derived,
    /// not looked up, because run ids are derived from their triggers.
    func candidateRunSubjects(of facts: BookingFacts) async -> [String] {
        var subjects: [String] = []
        let data = TriggerData.booking(facts, site: nil)
        for flowId in await flows.allFlowIds() {
            for published in await flows.versions(of: flowId) {
                switch published.definition.trigger {
                case .bookingEvent:
                    for eventId in facts.eventIds {
                        subjects.append(WorkSubjects.run(flowId: flowId, runId: RunIdentity.runId(flowId: flowId, flowVersion: published.version, triggerKey: eventId)))
                    }
                case .bookingTime(let trigger):
                    guard let dueAt = trigger.dueAt(for: data) else { continue }
                    let key = RunIdentity.timerKey(bookingId: facts.bookingId, dueAt: dueAt)
                    subjects.append(WorkSubjects.run(flowId: flowId, runId: RunIdentity.runId(flowId: flowId, flowVersion: published.version, triggerKey: key)))
                default:
                    continue
                }
            }
        }
        var existing: [String] = []
        for subject in subjects where ((try? await runs.lastSequence(subject: subject)) ?? nil) != nil {
            existing.append(subject)
        }
        return existing
    }
}
