import EventStore
import Foundation
import PostgresClient
@testable import Projections

/// The test event: an amount counted on a subject; `poison` makes the projection refuse it.
struct Counted: Codable, Sendable, Equatable {
    var amount: Int
    var poison: Bool?
}

struct RefusedEvent: Error, CustomStringConvertible {
    let sequence: UInt64
    var description: String { "the counting projection refuses poison at #\(sequence)" }
}

/// A small projection for engine tests: per subject, how many events and their total amount.
enum CountingProjection {
    static let registry: EventTypeRegistry = {
        var registry = EventTypeRegistry()
        registry.register(Counted.self, as: "test.counted")
        return registry
    }()

    static func make(name: String = "counts", version: Int = 1, stream: String, filter: String, pipelined: Bool = false) throws -> Projection {
        try Projection(
            name: name, version: version, stream: stream, filter: filter, registry: registry, tables: ["subject_counts"],
            createTables: { schema in
                "create table \(schema).subject_counts (subject text primary key, events bigint not null, total bigint not null, last_sequence bigint not null);"
            },
            apply: { events, target in
                var bySubject: [String: (events: Int64, total: Int64, last: Int64)] = [:]
                for recorded in events {
                    guard let counted = recorded.event(as: Counted.self) else { continue }
                    if counted.poison == true { throw RefusedEvent(sequence: recorded.sequence) }
                    var entry = bySubject[recorded.subject] ?? (0, 0, 0)
                    entry.events += 1
                    entry.total += Int64(counted.amount)
                    entry.last = Int64(recorded.sequence)
                    bySubject[recorded.subject] = entry
                }
                guard !bySubject.isEmpty else { return }
                var values: [String] = []
                var parameters: [any PostgresEncodable] = []
                for (subject, entry) in bySubject.sorted(by: { $0.key < $1.key }) {
                    let base = parameters.count
                    values.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4))")
                    parameters += [subject, entry.events, entry.total, entry.last]
                }
                let table = try target.table("subject_counts")
                try await target.connection.execute(
                    """
                    insert into \(table) as c (subject, events, total, last_sequence) values \(values.joined(separator: ", "))
                    on conflict (subject) do update set events = c.events + excluded.events, total = c.total + excluded.total,
                        last_sequence = greatest(c.last_sequence, excluded.last_sequence)
                    """, parameters)
            },
            bulkLoad: BulkLoad(
                table: "subject_counts_load", columns: ["subject", "amount", "sequence"],
                createLoadTable: { schema in "create unlogged table \(schema).subject_counts_load (subject text, amount bigint, sequence bigint);" },
                rows: { recorded in
                    guard let counted = recorded.event(as: Counted.self) else { return [] }
                    if counted.poison == true { throw RefusedEvent(sequence: recorded.sequence) }
                    return [[recorded.subject, Int64(counted.amount), Int64(recorded.sequence)]]
                },
                finish: { schema in
                    """
                    insert into \(schema).subject_counts (subject, events, total, last_sequence)
                        select subject, count(*), sum(amount), max(sequence) from \(schema).subject_counts_load group by subject;
                    drop table \(schema).subject_counts_load;
                    """
                }),
            stage: pipelined ? { @Sendable _, _ in false } : nil)
    }
}
