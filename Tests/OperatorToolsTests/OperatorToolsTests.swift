import Foundation
import NATSClient
import OperatorTools
import Testing
import TestSupport

@Suite("Operator tools")
struct OperatorToolsTests {
    @Test("the streams report shows counts, consumers and what each consumer has pending")
    func streamsReport() async throws {
        let env = try await TestServers.shared()
        let nats = try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL))
        defer { nats.close() }
        let js = nats.jetStream
        let name = "OPS_\(UUID().uuidString.prefix(8))"
        try await js.createOrUpdateStream(StreamConfig(name: name, subjects: ["\(name.lowercased()).>"]))
        for index in 1...3 { _ = try await js.publish("\(name.lowercased()).e.\(index)", payload: Array("{}".utf8)) }
        try await js.createOrUpdateConsumer(stream: name, ConsumerConfig(durableName: "proj"))
        let report = try await StreamsReport.collect(js)
        let row = try #require(report.rows.first { $0.name == name })
        #expect(row.messages == 3)
        #expect(row.lastSequence == 3)
        #expect(row.consumers == [.init(name: "proj", pending: 3, ackPending: 0, redelivered: 0, ackFloor: 0)])
        let text = report.render()
        #expect(text.contains("STREAM"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix(name) && $0.contains("proj") })
    }

    @Test("tail prints the envelope on one line and the body as indented JSON")
    func tailFormat() {
        var headers = NATSHeaders()
        headers["Almanac-Event-Type"] = "booking.placed"
        headers["Almanac-Event-Version"] = "1"
        headers["Almanac-Actor"] = "person:ada"
        headers["Almanac-Occurred-At"] = "2027-03-28T09:00:00.000Z"
        let message = StreamMessage(subject: "bookings.resource.desk-7", headers: headers, payload: Array(#"{"b":1,"a":"x"}"#.utf8),
                                    sequence: 42, time: Date())
        #expect(EventTail.format(message) == """
        #42  bookings.resource.desk-7  booking.placed v1  2027-03-28T09:00:00.000Z  by person:ada
            {
              "a" : "x",
              "b" : 1
            }

        """)
    }

    @Test("tail refuses a filter no stream captures")
    func tailUnknownFilter() async throws {
        let env = try await TestServers.shared()
        let nats = try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL))
        defer { nats.close() }
        await #expect(throws: TailError.self) { try await EventTail.resolve(nats.jetStream, filter: "nobody.listens.>", start: .new) }
    }
}
