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
        let resourceId = String(recorded.subject.split(separator: ".").last ?? "")
        let facts = try await bookingFacts(bookingId, resourceId: resourceId, upTo: recorded.sequence)
        // A site that cannot be read now (NATS busy) is an error, so the message comes again,
        // rather than a run started once with blank site fields.
        let site = facts.siteId.isEmpty ? nil : try await aggregates.site(facts.siteId)

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
            // Timers follow the booking as it is now, not as it was at this event: a late or
            // redelivered `placed` after a reschedule must not set the old due time again, and one
            // after a cancellation or move away sets nothing (`armBookingTimers` wants it active).
            try await armBookingTimers(try await bookingFacts(bookingId, resourceId: resourceId), live: live)
        case .bookingCancelled, .bookingReleasedAsNoShow:
            try await disarmBookingTimers(facts, cancellation: recorded.envelope,
                                          reason: "booking \(bookingId) was \(facts.status == .cancelled ? "cancelled" : "released")",
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
        let subject = try BookingSubjects.resource(resourceId)
        // Up to a known event, a direct read will do if it reaches that event.
        let history = if let sequence { try await bookings.readDirect(subject: subject, reaching: sequence) } else { try await bookings.read(subject: subject) }
        for recorded in history {
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
    /// never start, and every run of it still going that was triggered before the cancellation
    /// is cancelled (waiting, in a step, or in a retry's backoff: a reminder after the wait of a
    /// cancelled booking is noise). Not cancelled: runs the cancellation itself triggered (a
    /// "booking cancelled" notice) and the run whose booking command this is (the no-show
    /// release goes on to tell the booker); `facts` are as of the cancellation.
    func disarmBookingTimers(_ facts: BookingFacts, cancellation: EventEnvelope, reason: String, by actor: String) async throws {
        for flowId in await flows.allFlowIds() {
            guard let published = await flows.versions(of: flowId).first else { continue }
            if case .bookingTime = published.definition.trigger {
                try await removeSchedule(on: TimerSubjects.booking(flowId: flowId, bookingId: facts.bookingId))
            }
        }
        for subject in await candidateRunSubjects(of: facts, triggeredBefore: cancellation.eventId) {
            let run = try await loadRun(subject)
            guard run.state.status == .running, run.state.runId != cancellation.correlationId else { continue }
            try await decideOnRun(subject, .cancel(reason: reason, by: actor), idempotencyKey: "cancel/\(run.state.runId)")
            logger.info("run of a cancelled booking cancelled", metadata: ["run": "\(run.state.runId)", "reason": "\(reason)"])
        }
    }

    /// The run subjects this booking can have started before its event `eventId`: one per
    /// (flow version, earlier booking event) of booking-event flows and one per (flow version,
    /// due time of every start–end the booking has had) of booking-time flows. Derived, not
    /// looked up, because run ids are derived from their triggers.
    func candidateRunSubjects(of facts: BookingFacts, triggeredBefore eventId: String) async -> [String] {
        var subjects: [String] = []
        let earlierEvents = facts.eventIds.prefix { $0 != eventId }
        let heldData = facts.timesHeld.map { TriggerData.booking(facts.holding($0), site: nil) }
        for flowId in await flows.allFlowIds() {
            for published in await flows.versions(of: flowId) {
                switch published.definition.trigger {
                case .bookingEvent:
                    for eventId in earlierEvents {
                        subjects.append(WorkSubjects.run(flowId: flowId, runId: RunIdentity.runId(flowId: flowId, flowVersion: published.version, triggerKey: eventId)))
                    }
                case .bookingTime(let trigger):
                    var dueTimes: Set<Date> = []
                    for data in heldData {
                        guard let dueAt = trigger.dueAt(for: data), dueTimes.insert(dueAt).inserted else { continue }
                        let key = RunIdentity.timerKey(bookingId: facts.bookingId, dueAt: dueAt)
                        subjects.append(WorkSubjects.run(flowId: flowId, runId: RunIdentity.runId(flowId: flowId, flowVersion: published.version, triggerKey: key)))
                    }
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
