import Foundation
import NATSClient
import Testing

@Suite("JetStream consumers and key-value")
struct ConsumerTests {
    @Test("a pull consumer that dies mid-batch gets its unacked messages again")
    func unackedMessagesAreRedelivered() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("pull")
        try await js.createOrUpdateStream(stream.config())
        for index in 1...10 {
            _ = try await js.publish(stream.subject("e.\(index)"), payload: .text("\(index)"))
        }
        try await js.createOrUpdateConsumer(stream: stream.name, ConsumerConfig(durableName: "worker", ackWait: .seconds(1)))

        // First instance: takes 10, acks 4, then dies (its connection goes away with the rest).
        let dying = try await connect("dying")
        let first = try await PullConsumer.bind(dying.jetStream, stream: stream.name, consumer: "worker")
        let batch = try await first.fetch(batch: 10, expires: .seconds(2))
        #expect(batch.count == 10)
        for message in batch.prefix(4) { try await message.ackSync() }
        dying.close()

        // Second instance: receives exactly the six that were never acked, once ack_wait ran out.
        let survivor = try await PullConsumer.bind(js, stream: stream.name, consumer: "worker")
        var redelivered: [UInt64] = []
        while redelivered.count < 6 {
            let messages = try await survivor.fetch(batch: 10, expires: .seconds(5))
            try #require(!messages.isEmpty, "redelivery did not arrive")
            for message in messages {
                redelivered.append(message.sequence)
                #expect(message.message.deliveries == 2)
                try message.ack()
            }
        }
        #expect(redelivered.sorted() == Array(5...10))
        let info = try await js.consumerInfo(stream: stream.name, name: "worker")
        #expect(info.numPending == 0)
    }

    @Test("nak with a delay, term, and in-progress reach the server")
    func ackVariants() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("nak")
        try await js.createOrUpdateStream(stream.config())
        _ = try await js.publish(stream.subject("poison"), payload: .text("bad"))
        _ = try await js.publish(stream.subject("retry"), payload: .text("later"))
        try await js.createOrUpdateConsumer(stream: stream.name, ConsumerConfig(durableName: "c", ackWait: .seconds(30)))
        let consumer = try await PullConsumer.bind(js, stream: stream.name, consumer: "c")
        let messages = try await consumer.fetch(batch: 2)
        #expect(messages.map(\.subject) == [stream.subject("poison"), stream.subject("retry")])
        try messages[0].term()
        try messages[1].inProgress()
        try messages[1].nak(delay: .milliseconds(200))
        let again = try await consumer.fetch(batch: 2, expires: .seconds(5))
        #expect(again.map(\.subject) == [stream.subject("retry")])
        try await again[0].ackSync()
    }

    @Test("an ordered read delivers every message in order and stops when caught up")
    func orderedReadUntilCaughtUp() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("ordered")
        try await js.createOrUpdateStream(stream.config())
        for index in 1...500 {
            _ = try await js.publish(stream.subject(index.isMultiple(of: 2) ? "even" : "odd"), payload: .text("\(index)"))
        }
        var seen: [String] = []
        for try await batch in try await OrderedConsumer.start(js, stream: stream.name, filter: stream.subject("even"), from: 100, mode: .untilCaughtUp, bufferSize: 16) {
            seen += batch.map { String(decoding: $0.payload, as: UTF8.self) }
        }
        #expect(seen == stride(from: 100, through: 500, by: 2).map(String.init))

        var none = 0
        for try await batch in try await OrderedConsumer.start(js, stream: stream.name, filter: stream.subject("nothing"), mode: .untilCaughtUp) {
            none += batch.count
        }
        #expect(none == 0)
    }

    @Test("a live ordered read sees messages published after it started")
    func orderedReadLive() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("live")
        try await js.createOrUpdateStream(stream.config())
        _ = try await js.publish(stream.subject("a"), payload: .text("before"))
        let reader = try await OrderedConsumer.start(js, stream: stream.name, filter: stream.subject(">"), mode: .live)
        defer { reader.stop() }
        var iterator = reader.makeAsyncIterator()
        var seen = try #require(try await iterator.next()).map(\.payload)
        _ = try await js.publish(stream.subject("b"), payload: .text("after"))
        while seen.count < 2 { seen += try #require(try await iterator.next()).map(\.payload) }
        #expect(seen == [.text("before"), .text("after")])
    }

    @Test("key-value create and update are compare-and-set on the revision")
    func keyValueCompareAndSet() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let bucket = try await js.createKeyValue(.init(bucket: "kv_\(UUID().uuidString.prefix(8))", maxAge: .seconds(60)))
        defer { Task { try? await js.deleteStream("KV_\(bucket.bucket)") } }
        let revision = try await bucket.create("lease.projector", value: .text("instance-a"))
        await #expect(throws: JetStreamError.self) { try await bucket.create("lease.projector", value: .text("instance-b")) }
        let renewed = try await bucket.update("lease.projector", value: .text("instance-a"), revision: revision)
        await #expect(throws: JetStreamError.self) { try await bucket.update("lease.projector", value: .text("instance-b"), revision: revision) }
        #expect(try await bucket.get("lease.projector") == .init(key: "lease.projector", value: .text("instance-a"), revision: renewed))
        try await bucket.delete("lease.projector", revision: renewed)
        #expect(try await bucket.get("lease.projector") == nil)
        let again = try await bucket.create("lease.projector", value: .text("instance-b"))
        #expect(again > renewed)
        #expect(try await bucket.get("missing") == nil)
    }

    @Test("streams and consumers are listed with their state")
    func listing() async throws {
        let nats = try await connect()
        defer { nats.close() }
        let js = nats.jetStream
        let stream = ScratchStream("list")
        try await js.createOrUpdateStream(stream.config())
        _ = try await js.publish(stream.subject("x"), payload: .text("1"))
        try await js.createOrUpdateConsumer(stream: stream.name, ConsumerConfig(durableName: "projector_x"))
        let info = try #require(try await js.streams().first { $0.config.name == stream.name })
        #expect(info.state.messages == 1)
        #expect(info.state.consumerCount == 1)
        #expect(try await js.consumers(stream: stream.name).map(\.name) == ["projector_x"])
        // Updating a stream with a changed configuration goes through UPDATE.
        var changed = stream.config()
        changed.description = "changed"
        #expect(try await js.createOrUpdateStream(changed).config.description == "changed")
        await #expect(throws: JetStreamError.self) { try await js.streamInfo("NO_SUCH_STREAM_\(UUID().uuidString.prefix(6))") }
    }
}
