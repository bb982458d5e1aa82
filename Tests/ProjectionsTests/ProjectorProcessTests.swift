import EventStore
import Foundation
import NATSClient
import PostgresClient
@testable import Projections
import Testing
import TestSupport

/// The real `almanac projector` process, killed with SIGKILL while events arrive.
@Suite("Projector processes")
struct ProjectorProcessTests {
    @Test("Given two projector processes and a load, when the active one is killed -9 again and again, then a standby takes over within 10 s each time and the read model equals a fresh rebuild")
    func givenProcessesWhenKilledThenStandbyTakesOverAndModelEqualsRebuild() async throws {
        let env = try await TestServers.shared()
        let nats = try await env.startPrivateNATS()
        let conninfo = try await env.makeDatabase(prefix: "pj_kill")
        let connection = try await NATSConnection.connect(NATSConnectOptions(url: nats.url, name: "kill-test"))
        try await AlmanacStreams.ensure(on: connection.jetStream)
        let pool = PostgresPool(PostgresConfiguration(conninfo: conninfo), size: 3)
        let store = EventStore(jetStream: connection.jetStream, stream: AlmanacStreams.bookings, registry: CountingProjection.registry)
        let projection = try EventActivityProjection.make(stream: AlmanacStreams.bookings)
        let logs = try env.makeDirectory(prefix: "killlogs")

        var generation = 0
        func spawnProjector() async throws -> (name: String, process: ChildProcess) {
            generation += 1
            let name = "p\(generation)"
            let process = try await BuiltProducts.spawn(
                "almanac", ["projector", projection.name, "--instance", name, "--batch-size", "100", "--nats-url", nats.url, "--database-url", conninfo],
                environment: ["ALMANAC_SCHEMAS": repositoryRoot.appendingPathComponent("schemas").path, "ALMANAC_LOG_LEVEL": "warning"],
                logFile: logs.appendingPathComponent("\(name).log"))
            return (name, process)
        }
        func activeInstance() async throws -> String? {
            try await ProjectorLease.holder(try connection.jetStream.keyValue(LeaseSettings().bucket), key: projection.name)
        }
        func checkpoint() async throws -> UInt64 {
            try await pool.withConnection { try await CheckpointSQL.read($0, name: projection.name) }?.lastSequence ?? 0
        }

        var processes: [String: ChildProcess] = [:]
        for _ in 0..<2 {
            let spawned = try await spawnProjector()
            processes[spawned.name] = spawned.process
        }
        let load = LoadTask {
            var last: UInt64 = 0
            for index in 0..<150 {
                let events: [any Sendable] = (0..<20).map { Counted(amount: $0) }
                last = try await store.append(events, to: "bookings.resource.r\(index % 13)", expecting: .any).lastSequence
            }
            return last
        }
        for round in 0..<3 {
            try await eventually("an active instance in round \(round)", within: .seconds(30)) { try await activeInstance() != nil }
            let victim = try #require(try await activeInstance())
            let before = try await checkpoint()
            try await eventually("progress by \(victim)", within: .seconds(15)) { try await checkpoint() > before || load.isFinished }
            _ = await processes[victim]?.terminate(signal: SIGKILL, grace: .seconds(5))
            processes[victim] = nil
            let killedAt = ContinuousClock.now
            let replacement = try await spawnProjector()  // the new standby
            processes[replacement.name] = replacement.process
            try await eventually("a standby to take over from \(victim)", within: .seconds(10)) {
                let holder = try await activeInstance()
                return holder != nil && holder != victim
            }
            #expect(ContinuousClock.now - killedAt < .seconds(10))
        }
        let last = try await load.task.value
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(30))
        for process in processes.values { _ = await process.terminate(signal: SIGTERM, grace: .seconds(10)) }

        let rebuilt = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: connection.jetStream).run(.toSequence(last))
        func rows(_ schema: String) async throws -> String {
            let table = try PostgresIdentifier.quote(qualified: [schema, "event_activity"])
            return try await pool.query(
                "select md5(string_agg(subject || '/' || event_type || '/' || events || '/' || last_sequence || '/' || last_stored_at, ',' order by subject)) from \(table)"
            ).singleValue(String.self) ?? ""
        }
        #expect(try await rows(projection.name) == rows(rebuilt.schema))
        #expect(try await pool.query("select sum(events)::bigint from activity_bookings.event_activity").singleValue(Int64.self) == 3000)

        // The operator commands on the same data: lag shows the projection caught up, replay swaps in an equal copy.
        let environment: [String: String?] = ["ALMANAC_SCHEMAS": repositoryRoot.appendingPathComponent("schemas").path]
        let lag = try await BuiltProducts.run("almanac", ["lag", "--nats-url", nats.url, "--database-url", conninfo], environment: environment)
        #expect(lag.succeeded, "\(lag.errorOutput)")
        #expect(lag.output.contains("activity_bookings") && lag.output.contains("\(last)"), "\(lag.output)")
        let replay = try await BuiltProducts.run("almanac", ["replay", projection.name, "--nats-url", nats.url, "--database-url", conninfo],
                                                 environment: environment)
        #expect(replay.succeeded, "\(replay.errorOutput)")
        #expect(replay.output.contains("swapped in activity_bookings: 3000 events up to #\(last)"), "\(replay.output)")
        #expect(replay.errorOutput.contains("events/s") && replay.errorOutput.contains("ETA"), "\(replay.errorOutput)")
        #expect(try await rows(projection.name) == rows(rebuilt.schema))
        let skip = try await BuiltProducts.run("almanac", ["projector", "skip", projection.name, "--seq", "3", "--database-url", conninfo],
                                               environment: environment)
        #expect(!skip.succeeded && skip.errorOutput.contains("not stopped at a poison event"), "\(skip.errorOutput)")
        await pool.close()
        connection.close()
        await nats.stop()
    }
}
