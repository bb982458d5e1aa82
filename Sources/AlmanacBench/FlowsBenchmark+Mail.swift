import AlmanacEvents
import Booking
import BookingService
import CommandBus
import EventStore
import FlowControl
import Flows
import Foundation
import LocalServers
import NATSClient

extension FlowsBenchmark {
    /// One booking at a time: place it (command over NATS), then wait until the SMTP sink has
    /// accepted its confirmation; the time between is one sample. Then raw js_Publish round
    /// trips (one publisher, expected subject sequence) on the same server.
    func measureMail(_ context: BenchContext, services: Services, server: LocalNATSServer, sink: SMTPSink, plan: Plan) async throws -> [Figure] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: Self.zone)!
        let firstDay = calendar.date(bySettingHour: 6, minute: 0, second: 0, of: Date().addingTimeInterval(86_400))!
        let warmup = 5
        let progress = context.progress("booking placed → mail accepted by SMTP", total: plan.bookings, unit: "bookings")
        var samples: [Double] = []
        // Per booking id (after the warm-up): when it was sent (wall clock) and its sample.
        var sent: [String: (at: Date, accepted: Date, seconds: Double)] = [:]
        for index in 0..<(warmup + plan.bookings) {
            // Desk index mod 10, its next half hour from tomorrow 06:00 (32 a day).
            let slot = index / services.desks.count
            let start = firstDay.addingTimeInterval(Double(slot / 32) * 86_400 + Double(slot % 32) * 1800)
            let email = "booker-\(index)@bench.example"
            let command = BookingCommand.place(PlaceBooking(
                idempotencyKey: "bench-mail-\(index)", bookingId: "bench-mail-\(index)", siteId: Self.siteId,
                resourceId: services.desks[index % services.desks.count], start: start, end: start.addingTimeInterval(1800),
                bookerTimeZone: Self.zone, contact: BookingContact(name: "Booker \(index)", email: email)))
            let (name, body) = try BookingCommandCodec.encode(command)
            let sentAt = Date()
            let began = DispatchTime.now().uptimeNanoseconds
            let reply = try await services.commands.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: "booker-\(index)",
                                                                        actorRoles: ["booker"], body: body), timeout: .seconds(30))
            let acceptedAt = Date()
            guard case .accepted = reply else {
                progress.fail()
                throw BenchError("booking \(index) was not accepted: \(reply)")
            }
            let delivery = try await Self.nextDelivery(sink, within: .seconds(60))
            guard delivery.recipient == email else {
                progress.fail()
                throw BenchError("expected the mail to \(email), the sink received one to \(delivery.recipient)")
            }
            if index >= warmup {
                samples.append(Double(delivery.receivedAt - began) / 1e9)
                sent["bench-mail-\(index)"] = (sentAt, acceptedAt, Double(delivery.receivedAt - began) / 1e9)
                progress.advance()
            }
        }
        progress.finish(done: samples.count)
        let mail = LatencyStatistics(seconds: samples)
        try await recordStages(context, services: services, sent: sent)

        let rawProgress = context.progress("raw js_Publish round trips", total: plan.rawRoundTrips, unit: "publishes")
        let raw = try await BlockingThread.run("almanac.bench.raw-rtt") { [url = server.url, total = plan.rawRoundTrips] in
            try RawJetStreamBaseline.publishWithExpectedSequence(url: url, subjects: (0..<16).map { "benchraw.rtt.s\($0)" }, threads: 1,
                                                                 total: total, payloadSize: 400)
        }
        rawProgress.finish(done: raw.messages)
        let rawLatency = LatencyStatistics(seconds: raw.latencies)
        let group = "booking → mail"
        return [
            .absolute("raw js_Publish RTT p50", group: "limits", value: rawLatency.p50, unit: "ms", higherIsBetter: false, goal: nil),
            .absolute("raw js_Publish RTT p99", group: "limits", value: rawLatency.p99, unit: "ms", higherIsBetter: false, goal: nil),
            .compared("placed → SMTP accepted p50", group: group, value: mail.p50, unit: "ms", rawLimitName: "raw js_Publish RTT p50",
                      rawLimit: rawLatency.p50, higherIsBetter: false, ratioGoal: nil),
            .compared("placed → SMTP accepted p99", group: group, value: mail.p99, unit: "ms", rawLimitName: "raw js_Publish RTT p99",
                      rawLimit: rawLatency.p99, higherIsBetter: false, ratioGoal: Self.mailLatencyGoal),
            .absolute("placed → SMTP accepted max", group: group, value: mail.max, unit: "ms", higherIsBetter: false, goal: nil),
        ]
    }

    /// Where a booking's time went, from the confirmation runs' events (stored times, and the
    /// step's own duration): placed (sent) → the command's reply (the booking handler, its
    /// atomic batch on the resource and person subjects), → run.started stored (BOOKINGS
    /// consumer, flow-control), → run.step_started stored (job, runtime fetch, run read), the
    /// step (mail rendered and accepted by the SMTP server), and the rest until the sink's line
    /// was read.
    /// Recorded as p50 / p99 parameters beside the figures.
    func recordStages(_ context: BenchContext, services: Services, sent: [String: (at: Date, accepted: Date, seconds: Double)]) async throws {
        let runs = EventStore(jetStream: services.jetStream, stream: AlmanacStreams.runs, registry: AlmanacEventCatalog.registry)
        var started: [String: (bookingId: String, at: Date)] = [:]
        var stepStarted: [String: Date] = [:]
        var stepMs: [String: Double] = [:]
        for try await batch in try await runs.subscribe(filter: "runs.\(Self.confirmationFlow.id).*", mode: .untilCaughtUp) {
            for recorded in batch {
                switch RunEvent(payload: recorded.event) {
                case .started(let event):
                    if case .string(let bookingId) = event.data.value(at: ["booking", "bookingId"]) { started[event.runId] = (bookingId, recorded.storedAt) }
                case .stepStarted(let event): stepStarted[event.runId] = recorded.storedAt
                case .stepSucceeded(let event): stepMs[event.runId] = event.durationMs
                default: break
                }
            }
        }
        var command: [Double] = [], toRun: [Double] = [], toStep: [Double] = [], step: [Double] = [], rest: [Double] = []
        for (runId, run) in started {
            guard let booking = sent[run.bookingId], let stepAt = stepStarted[runId], let ms = stepMs[runId] else { continue }
            let a = run.at.timeIntervalSince(booking.at), b = stepAt.timeIntervalSince(run.at), c = ms / 1000
            command.append(booking.accepted.timeIntervalSince(booking.at))
            toRun.append(run.at.timeIntervalSince(booking.accepted))
            toStep.append(b)
            step.append(c)
            rest.append(booking.seconds - a - b - c)
        }
        for (name, values) in [("placed → command accepted", command), ("accepted → run started", toRun), ("run started → step started", toStep), ("mail step (render + SMTP)", step),
                               ("step → sink line read", rest)] {
            let statistics = LatencyStatistics(seconds: values)
            context.record("stage: \(name), p50 / p99 ms", "\(NumberText.fixed(statistics.p50, 2)) / \(NumberText.fixed(statistics.p99, 2))")
        }
    }

    /// The sink's next delivery, or an error after `timeout` (a flow that never mails fails the
    /// bench instead of hanging it). One waiter at a time: the stream has a single consumer.
    static func nextDelivery(_ sink: SMTPSink, within timeout: Duration) async throws -> SMTPSink.Delivery {
        let first = try await withThrowingTaskGroup(of: SMTPSink.Delivery?.self) { group in
            group.addTask {
                for await delivery in sink.deliveries { return delivery }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let first else { throw BenchError("no mail reached the SMTP sink within \(timeout)") }
        return first
    }
}
