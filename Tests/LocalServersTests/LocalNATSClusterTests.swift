import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("LocalNATSCluster", .timeLimit(.minutes(3)))
struct LocalNATSClusterTests {
    @Test("Given a 3-node cluster with an R3 stream, when one node is SIGKILLed, then publishing still succeeds on the quorum")
    func quorumSurvivesOneNode() async throws {
        let environment = try await TestServers.shared()
        let cluster = try await LocalNATSCluster.start(
            LocalNATSCluster.Configuration(directory: try environment.makeDirectory(prefix: "nats-cluster")))
        defer { Task { await cluster.stop() } }
        #expect(cluster.clientURLs.count == 3)
        #expect(Set(cluster.clientURLs).count == 3)
        let config = try String(contentsOf: cluster.nodes[0].configFile, encoding: .utf8)
        #expect(config.contains("sync_interval: always"))
        #expect(config.contains("cluster {"))
        #expect(config.contains("server_name: \"almanac-local-1\""))

        let connection = try await RawNATSConnection.connect(port: cluster.nodes[0].port)
        let created = try await connection.requestJSON(
            "$JS.API.STREAM.CREATE.QUORUM", #"{"name":"QUORUM","subjects":["quorum.>"],"storage":"file","num_replicas":3}"#)
        let config3 = try #require(created["config"] as? [String: Any])
        #expect(config3["num_replicas"] as? Int == 3)
        #expect(try await publishWithin(.seconds(30), port: cluster.nodes[0].port, subject: "quorum.before") >= 1)

        let killed = try #require(cluster.nodes[2].pid)
        await cluster.nodes[2].kill()
        #expect(cluster.nodes[2].pid == nil)
        #expect(!processExists(killed))

        // The stream leader may have been the killed node: the two left elect a new one.
        let sequence = try await publishWithin(.seconds(30), port: cluster.nodes[0].port, subject: "quorum.after")
        #expect(sequence >= 2)

        await cluster.stop()
        #expect(cluster.nodes.allSatisfy { $0.pid == nil })
        #expect(processes(mentioning: cluster.configuration.directory.path).isEmpty)
    }

    @Test("refuses a cluster of no nodes with a message saying why")
    func noNodes() async throws {
        let environment = try await TestServers.shared()
        await #expect {
            _ = try await LocalNATSCluster.start(LocalNATSCluster.Configuration(directory: try environment.makeDirectory(prefix: "nats-cluster"), size: 0))
        } throws: { error in
            "\(error)".contains("at least one node")
        }
    }

    /// Publishes until JetStream acknowledges (a leader election answers with an error or not
    /// at all for a moment) and returns the acknowledged sequence.
    private func publishWithin(_ timeout: Duration, port: Int, subject: String) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                // A fresh connection per try: a reply that timed out must not be read as the next one.
                let connection = try await RawNATSConnection.connect(port: port)
                let ack = try await connection.requestJSON(subject, "payload")
                if let sequence = ack["seq"] as? Int { return sequence }
            } catch where ContinuousClock.now < deadline {}
            if ContinuousClock.now >= deadline { throw RawNATSError("no acknowledgement for \(subject) within \(timeout)") }
            // Spaces the retries of this deadline poll (an election answers errors at once).
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
