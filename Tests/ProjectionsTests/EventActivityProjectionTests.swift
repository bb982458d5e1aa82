import Foundation
import NATSClient
import PostgresClient
@testable import Projections
import Testing

@Suite("Event activity projection")
struct EventActivityProjectionTests {
    @Test("Given events of several types, when projected incrementally and rebuilt with COPY, then both give the same activity rows")
    func givenEventsWhenProjectedAndRebuiltThenSameRows() async throws {
        let harness = try await ProjectionHarness.make("activity")
        let last = try await harness.append(700, subjects: 3, batch: 30)
        let projection = try EventActivityProjection.make(stream: harness.stream, filter: harness.filter)
        let running = RunningProjector(harness.projector(projection, instance: "a"))
        try await CheckpointWaiter.wait(for: projection.name, toReach: last, pool: harness.pool, timeout: .seconds(20))
        await running.crash()
        let rebuilt = try await ProjectionRebuild(projection: projection, pool: harness.pool, jetStream: harness.nats.jetStream).run(.toSequence(last))

        func rows(_ schema: String) async throws -> String {
            let table = try PostgresIdentifier.quote(qualified: [schema, "event_activity"])
            return try await harness.pool.query(
                "select string_agg(subject || '/' || event_type || '/' || events || '/' || last_sequence || '/' || last_stored_at, ',' order by subject) from \(table)"
            ).singleValue(String.self) ?? ""
        }
        let incremental = try await rows(projection.name)
        #expect(!incremental.isEmpty)
        #expect(try await rows(rebuilt.schema) == incremental)
        #expect(try await harness.pool.query("select sum(events)::bigint from \(projection.name).event_activity").singleValue(Int64.self) == 700)
        await harness.close()
    }

    @Test("Given the standard catalog, when selecting an unknown name, then the error lists the known projections")
    func givenCatalogWhenUnknownNameThenListsKnown() throws {
        let catalog = try ProjectionCatalog.standard()
        #expect(catalog.names == ["activity_bookings", "activity_flows", "activity_runs"])
        #expect(try catalog.select(["activity_runs"]).map(\.name) == ["activity_runs"])
        #expect(throws: ProjectionError.invalidArgument("no projection named \"nope\"; known: activity_bookings, activity_flows, activity_runs")) {
            try catalog.select(["nope"])
        }
    }
}
