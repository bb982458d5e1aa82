import AlmanacEvents
import EventStore
import FlowDesigner
import FlowReadModels
import Flows
import Foundation
import NATSClient
import PostgresClient
import Projections
import Testing
import TestSupport

@Suite("Flows read model", .timeLimit(.minutes(5)))
struct FlowReadModelTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func flow(id: String, name: String) throws -> FlowDefinition {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/flows/booking-confirmation.yaml"), encoding: .utf8)
        var definition = try FlowDefinition(parsing: text)
        definition.id = id
        definition.name = name
        return definition
    }

    @Test("Given flows saved, published twice, left as draft and archived through the designer, when projected, then the studio's queries list them with their versions; and a rebuild gives the same rows")
    func projectedFlowsAndVersions() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "flow-read-model-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let designer = FlowDesigner(jetStream: nats.jetStream)
        try await designer.saveDraft(try Self.flow(id: "confirm", name: "Confirm"), by: "ada")
        try await designer.publish("confirm", by: "ada")
        try await designer.saveDraft(try Self.flow(id: "confirm", name: "Confirm again"), by: "bob")
        try await designer.publish("confirm", by: "bob")
        try await designer.saveDraft(try Self.flow(id: "sketch", name: "A sketch"), by: "ada")
        try await designer.saveDraft(try Self.flow(id: "retired", name: "Retired"), by: "ada")
        try await designer.publish("retired", by: "ada")
        try await designer.archive("retired", by: "carol")
        let last = try await nats.jetStream.streamInfo(AlmanacStreams.flows).state.lastSequence

        let database = try await env.makeDatabase(prefix: "flowsmodel")
        let pool = PostgresPool(PostgresConfiguration(conninfo: database), size: 4)
        _ = try await Migrator(directory: Self.repositoryRoot.appendingPathComponent("schemas/sql")).migrate(pool)
        let projection = try FlowReadModel.projection()
        let projector = Projector(projection: projection, pool: pool, jetStream: nats.jetStream, instance: "test",
                                  settings: .init(batchSize: 3, fetchWait: .milliseconds(250)))
        let running = Task { try await projector.run() }
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: pool, timeout: .seconds(60))
        running.cancel()
        _ = await running.result

        let queries = FlowReadModelQueries(pool: pool)
        let flows = try await queries.flows()
        #expect(flows.map(\.flowId) == ["sketch", "confirm", "retired"], "by name")
        let confirm = try #require(flows.first { $0.flowId == "confirm" })
        #expect(confirm.status == "published")
        #expect(confirm.latestVersion == 2)
        #expect(confirm.draftRevision == 2)
        #expect(confirm.name == "Confirm again")
        #expect(confirm.updatedBy == "bob")
        #expect(flows.first { $0.flowId == "sketch" }?.status == "draft")
        #expect(flows.first { $0.flowId == "retired" }?.status == "archived")
        #expect(flows.first { $0.flowId == "retired" }?.updatedBy == "carol")
        #expect(try await queries.flows(status: "published").map(\.flowId) == ["confirm"])
        let versions = try await queries.versions(of: "confirm")
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.map(\.publishedBy) == ["ada", "bob"])
        #expect(versions.first?.definition == (try Self.flow(id: "confirm", name: "Confirm")))
        #expect(try await queries.versions(of: "sketch").isEmpty)

        // The same stream rebuilt into fresh tables gives the same rows, table by table.
        let rebuilt = try await ProjectionRebuild(projection: projection, pool: pool, jetStream: nats.jetStream).run(.toSequence(last))
        for table in FlowReadModel.tables {
            #expect(try await checksum(pool, schema: projection.name, table: table) == checksum(pool, schema: rebuilt.schema, table: table), "\(table)")
        }
        await pool.close()
        nats.close()
        await server.stop()
    }

    /// The table's rows as text, ordered, hashed: equal content gives equal checksums.
    func checksum(_ pool: PostgresPool, schema: String, table: String) async throws -> String {
        let name = try PostgresIdentifier.quote(qualified: [schema, table])
        return try await pool.query("select coalesce(md5(string_agg(t::text, '|' order by t::text)), 'empty') from \(name) t").singleValue(String.self) ?? "empty"
    }
}
