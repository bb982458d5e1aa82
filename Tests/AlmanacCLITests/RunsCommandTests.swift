import Foundation
import NATSClient
import Testing
import TestSupport

/// `almanac runs` as an operator meets it: real processes, real servers.
@Suite("almanac runs")
struct RunsCommandTests {
    @Test("Given no such run or a bad id, when retried, cancelled or an approval decided, then one plain line says so and the exit status is 1")
    func unknownRun() async throws {
        let env = try await TestServers.shared()
        let nats = ["--nats-url", env.natsURL]
        let missing = "r-nobody-\(UUID().uuidString.prefix(8).lowercased())"
        let retried = try await BuiltProducts.run("almanac", ["runs", "retry", missing, "--as", "olga"] + nats)
        #expect(retried.status == .exited(code: 1))
        #expect(retried.errorOutput == "almanac: there is no run '\(missing)'\n")
        let cancelled = try await BuiltProducts.run("almanac", ["runs", "cancel", "a.b", "--as", "olga"] + nats)
        #expect(cancelled.status == .exited(code: 1))
        #expect(cancelled.errorOutput == "almanac: run id 'a.b' may contain only letters, digits, '_' and '-'\n")
        let decided = try await BuiltProducts.run("almanac", ["runs", "decide", missing, "--step", "ask", "--outcome", "approved",
                                                              "--as", "olga@example.com"] + nats)
        #expect(decided.status == .exited(code: 1))
        #expect(decided.errorOutput == "almanac: there is no run '\(missing)'\n")
    }

    @Test("Given a database where the runs projection never ran, when runs are listed, then the error says what to start; a bad status is named")
    func listWithoutReadModel() async throws {
        let env = try await TestServers.shared()
        let database = try await env.makeDatabase(prefix: "runscli")
        let listed = try await BuiltProducts.run("almanac", ["runs", "list", "--database-url", database])
        #expect(listed.status == .exited(code: 1))
        #expect(listed.errorOutput.hasPrefix("almanac: the runs read model (schema runs) is not built in this database yet: run 'almanac projector runs'"),
                "\(listed.errorOutput)")
        let bad = try await BuiltProducts.run("almanac", ["runs", "list", "--status", "done", "--database-url", database])
        #expect(bad.errorOutput == "almanac: 'done' is not a run status (one of running, completed, failed, cancelled)\n")
    }

    @Test("Given dead letters in WORK, when listed twice, then each shows its reason both times (read, not consumed)")
    func deadLettersStay() async throws {
        let server = try await TestServers.shared().startPrivateNATS()
        do {
            let nats = ["--nats-url", server.url]
            let empty = try await BuiltProducts.run("almanac", ["runs", "dead"] + nats)
            #expect(empty.output == "no dead letters\n", "\(empty.errorOutput)")
            let connection = try await NATSConnection.connect(NATSConnectOptions(url: server.url, name: "runs-cli-test"))
            _ = try await connection.jetStream.publish("work.dead.send_email", payload: Array("{}".utf8),
                                                       headers: ["Almanac-Dead-Reason": "step 'confirm' failed after 5 attempts: Graph answered 503"])
            _ = try await connection.jetStream.publish("work.send_email", payload: Array("{}".utf8))
            connection.close()
            for _ in 0..<2 {
                let listed = try await BuiltProducts.run("almanac", ["runs", "dead", "--kind", "send_email"] + nats)
                #expect(listed.status == .exited(code: 0), "\(listed.errorOutput)")
                let lines = listed.output.split(separator: "\n")
                #expect(lines.count == 2, "header and one letter: \(listed.output)")
                #expect(lines.last?.contains("work.dead.send_email") == true)
                #expect(lines.last?.hasSuffix("step 'confirm' failed after 5 attempts: Graph answered 503") == true, "\(listed.output)")
            }
            let otherKind = try await BuiltProducts.run("almanac", ["runs", "dead", "--kind", "http_request"] + nats)
            #expect(otherKind.output == "no dead letters\n")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
