import CommandBus
import EventStore
import Foundation
import NATSClient
import Testing
import TestSupport

/// Group commit against a real JetStream stream: grouped commands land with their own ids and
/// expectations, a refused group falls back to one by one, and concurrent callers share batches.
@Suite("Group commit")
struct GroupCommitTests {
    struct Setup {
        let nats: NATSConnection
        let store: EventStore
        let prefix: String

        static func make() async throws -> Setup {
            let env = try await TestServers.shared()
            let token = UUID().uuidString.prefix(8).lowercased()
            let nats = try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL, name: "group-commit-test"))
            try await nats.jetStream.createOrUpdateStream(StreamConfig(name: "GC_\(token.uppercased())", subjects: ["gc\(token).>"],
                                                                      duplicateWindow: .seconds(120), allowAtomic: true))
            var registry = EventTypeRegistry()
            registry.register(CounterIncremented.self, as: "test.counter_incremented")
            return Setup(nats: nats, store: EventStore(jetStream: nats.jetStream, stream: "GC_\(token.uppercased())", registry: registry),
                         prefix: "gc\(token)")
        }

        func subject(_ name: String) -> String { "\(prefix).counter.\(name)" }

        /// One command: one event on each named counter, each expecting `expecting`.
        func command(_ key: String, _ counters: [String], expecting: ExpectedVersion = .noStream) -> EventStore.CommandAppend {
            EventStore.CommandAppend(counters.map { EventStore.SubjectAppend(subject: subject($0), events: [CounterIncremented(counter: $0)], expecting: expecting) },
                                     idempotencyKey: key, metadata: EventMetadata(actor: "test"))
        }
    }

    @Test("Given commands on different subjects, when appended together, then each gets its own consecutive sequences and its events their own ids")
    func appendedTogether() async throws {
        let setup = try await Setup.make()
        defer { setup.nats.close() }
        let results = try await setup.store.appendTogether([setup.command("a", ["a1", "a2"]), setup.command("b", ["b1"]), setup.command("c", ["c1", "c2"])])
        #expect(results.map(\.sequences) == [[1, 2], [3], [4, 5]])
        #expect(results.allSatisfy { !$0.isDuplicate })
        let stored = try await setup.store.read(subject: setup.subject("b1"))
        #expect(stored.map(\.envelope.eventId) == ["b/0"])
        #expect(try await setup.store.read(subject: setup.subject("c2")).map(\.envelope.eventId) == ["c/1"])
    }

    @Test("Given one stale expectation in a group, when committed, then only that command is refused and the others are stored")
    func oneConflictFailsOnlyItsCommand() async throws {
        let setup = try await Setup.make()
        defer { setup.nats.close() }
        try await setup.store.append([CounterIncremented(counter: "taken")], to: setup.subject("taken"), expecting: .noStream, idempotencyKey: "earlier")
        let committer = GroupCommit(store: setup.store)
        let results = await committer.commit([setup.command("x", ["x1"]), setup.command("stale", ["taken"]), setup.command("y", ["y1", "y2"])])
        #expect(committer.statistics.refusedGroups == 1)
        #expect(try results[0].get().sequences.count == 1)
        #expect(try results[2].get().sequences.count == 2)
        #expect(throws: EventStoreError.self) { try results[1].get() }
        guard case .failure(EventStoreError.wrongExpectedVersion) = results[1] else {
            Issue.record("expected a wrong expected version, got \(String(describing: results[1]))")
            return
        }
        #expect(try await setup.store.read(subject: setup.subject("taken")).count == 1)
    }

    @Test("Given a command stored before, when it is in a group again, then it is answered as a duplicate and the others are stored")
    func retriedCommandInAGroupIsADuplicate() async throws {
        let setup = try await Setup.make()
        defer { setup.nats.close() }
        let first = try await setup.store.append(setup.command("again", ["r1", "r2"]).appends, idempotencyKey: "again", metadata: EventMetadata(actor: "test"))
        let committer = GroupCommit(store: setup.store)
        // The retry carries the same ids and its original expectations (nothing was on r1, r2).
        let results = await committer.commit([setup.command("again", ["r1", "r2"]), setup.command("new", ["n1"])])
        let retried = try results[0].get()
        #expect(retried.isDuplicate)
        #expect(retried.sequences == first.sequences)
        #expect(try results[1].get().isDuplicate == false)
        #expect(try await setup.store.read(subject: setup.subject("r1")).count == 1)
    }

    @Test("Given 64 concurrent commands on different subjects, when appended through group commit, then all are stored once in fewer batches than commands")
    func concurrentCommandsShareBatches() async throws {
        let setup = try await Setup.make()
        defer { setup.nats.close() }
        let committer = GroupCommit(store: setup.store, settings: .init(maximumInFlight: 1))
        let results = try await withThrowingTaskGroup(of: EventStore.AppendResult.self) { group in
            for index in 0..<64 {
                group.addTask {
                    try await committer.append(setup.command("k\(index)", ["p\(index)", "q\(index)"]).appends, idempotencyKey: "k\(index)",
                                               metadata: EventMetadata(actor: "test"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let sequences = results.flatMap(\.sequences)
        #expect(Set(sequences).count == 128)
        #expect(Set(sequences) == Set(1...128))
        let statistics = committer.statistics
        #expect(statistics.commands == 64)
        #expect(statistics.groups < 64)
        #expect(statistics.refusedGroups == 0)
    }
}
