import Booking
import BookingService
import CommandBus
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
            let began = DispatchTime.now().uptimeNanoseconds
            let reply = try await services.commands.send(CommandRequest(name: name, idempotencyKey: command.idempotencyKey, actor: "booker-\(index)",
                                                                        actorRoles: ["booker"], body: body), timeout: .seconds(30))
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
                progress.advance()
            }
        }
        progress.finish(done: samples.count)
        let mail = LatencyStatistics(seconds: samples)

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
