import Foundation
import NATSClient
import Testing

@Suite("Core subscriptions")
struct SubscriptionTests {
    @Test("request/reply through a queue group: every request answered exactly once across replicas")
    func queueGroupRequestReply() async throws {
        let client = try await connect("client")
        let replicaA = try await connect("replica-a")
        let replicaB = try await connect("replica-b")
        defer { client.close(); replicaA.close(); replicaB.close() }
        let subject = "cmd.test\(UUID().uuidString.prefix(6)).echo"
        var handlers: [Task<Int, any Error>] = []
        for (name, connection) in [("a", replicaA), ("b", replicaB)] {
            let subscription = try connection.subscribe(to: subject, queue: "handlers")
            handlers.append(Task {
                var handled = 0
                for try await request in subscription {
                    try connection.respond(to: request, headers: ["Replica": name], payload: request.payload + Array("!".utf8))
                    handled += 1
                }
                return handled
            })
        }
        try await replicaA.flush()
        try await replicaB.flush()
        let answers = try await withThrowingTaskGroup(of: (Int, NATSMessage).self) { group in
            for index in 0..<200 {
                group.addTask { (index, try await client.request(subject, payload: Array("\(index)".utf8))) }
            }
            return try await group.reduce(into: [Int: NATSMessage]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 200)
        for (index, reply) in answers { #expect(reply.payload == Array("\(index)!".utf8)) }
        // Both replicas took part (a queue group spreads requests randomly; 200 make a miss vanishingly unlikely).
        #expect(Set(answers.values.compactMap { $0.headers["Replica"] }) == ["a", "b"])
        for handler in handlers { handler.cancel() }
    }

    @Test("drain ends the sequence after the messages already received")
    func drainEndsSequence() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let subject = "t\(UUID().uuidString.prefix(6)).drain"
        let subscription = try nats.subscribe(to: subject)
        try await nats.flush()
        for index in 0..<5 { try nats.publish(subject, payload: Array("\(index)".utf8)) }
        try await nats.flush()
        var received: [String] = []
        for try await message in subscription {
            received.append(String(decoding: message.payload, as: UTF8.self))
            if received.count == 5 { subscription.drain() }
        }
        #expect(received == ["0", "1", "2", "3", "4"])
    }

    @Test("a request nobody answers fails fast with no responders")
    func noResponders() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let error = await #expect(throws: NATSError.self) { try await nats.request("nobody.here\(UUID().uuidString.prefix(6))", timeout: .seconds(5)) }
        #expect(error?.kind == .noResponders)
    }
}
