import Foundation
import NATSClient
import Synchronization
import Testing
import TestSupport

@Suite("Reconnect")
struct ReconnectTests {
    @Test("nats-server restarted while a publisher runs: the client reconnects and every acknowledged message is still stored")
    func acknowledgedMessagesSurviveRestart() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS(syncInterval: .always)
        defer { Task { await server.stop() } }
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "publisher", reconnectWait: .milliseconds(50)))
        defer { nats.close() }
        var js = nats.jetStream
        js.timeout = .milliseconds(500)
        let stream = ScratchStream("restart")
        try await js.createOrUpdateStream(stream.config())

        let total = 600
        let (milestones, milestone) = AsyncStream.makeStream(of: Int.self)
        let publisher = Task {
            var acknowledged: [String: UInt64] = [:]
            for index in 0..<total {
                let id = "event-\(index)"
                // A publisher that did not hear an ack retries with the same id: either the
                // first attempt was stored (the server answers "duplicate") or it was lost.
                while true {
                    do {
                        let ack = try await js.publish(stream.subject("e.\(index % 10)"), payload: .text("\(index)"), options: .init(messageId: id))
                        acknowledged[id] = ack.seq
                        break
                    } catch {
                        try await Task.sleep(for: .milliseconds(20)) // back-off between retries, not synchronisation
                    }
                }
                if index == total / 3 { milestone.yield(index) }
            }
            milestone.finish()
            return acknowledged
        }
        // Restart once a third has been acknowledged, while the publisher keeps going.
        for await _ in milestones { try await server.restart(); break }
        let acknowledged = try await publisher.value

        #expect(acknowledged.count == total)
        var stored: [String: UInt64] = [:]
        for try await batch in try await OrderedConsumer.start(js, stream: stream.name, filter: stream.subject(">"), mode: .untilCaughtUp) {
            for message in batch { stored[message.headers["Nats-Msg-Id"] ?? ""] = message.sequence }
        }
        #expect(stored == acknowledged, "every acknowledged message is stored once, at the acknowledged sequence")
        #expect(try await js.streamInfo(stream.name).state.messages == UInt64(total))
        // The restart really happened under the publisher's connection (otherwise the test
        // proves nothing). Whether a publish failed meanwhile depends on timing: libnats may
        // buffer across a quick reconnect, so the reconnect count is the evidence.
        #expect(nats.reconnects >= 1)
    }
}
