import CommandBus
import EventStore
import Foundation
import NATSClient
import Testing
import TestSupport

/// A counter that may not pass its limit: the smallest aggregate with a rule that concurrency
/// could break, handled the way the booking handler works.
struct CounterIncremented: Codable, Sendable { var counter: String }
struct IncrementCounter: Codable, Sendable {
    var counter: String
    /// Says nothing to the counter; it lets two bodies for the same counter differ.
    var note: String?
}

func canonicalJSON(_ command: IncrementCounter) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Array((try? encoder.encode(command)) ?? Data())
}

struct CounterReplica {
    static let limit = 25
    let nats: NATSConnection
    let server: CommandServer

    static func start(url: String, stream: String, prefix: String, commands: String, name: String) async throws -> CounterReplica {
        let nats = try await NATSConnection.connect(NATSConnectOptions(url: url, name: name))
        var registry = EventTypeRegistry()
        registry.register(CounterIncremented.self, as: "test.counter_incremented")
        let store = EventStore(jetStream: nats.jetStream, stream: stream, registry: registry)
        let locks = AggregateLocks()
        let repository = AggregateRepository<Int>(store: store, initial: 0) { count, event in event is CounterIncremented ? count + 1 : count }
        let server = try CommandServer(connection: nats, prefix: commands, queue: "counters") { request in
            guard let command = try? JSONDecoder().decode(IncrementCounter.self, from: Data(request.body)),
                  let token = try? SubjectToken(command.counter) else {
                return .rejected(code: "bad_input", message: "counter must be an identifier", field: "counter")
            }
            let subject = "\(prefix).counter.\(token)"
            // The decoded command encoded again with sorted keys: canonical, whatever the sender's spelling.
            let fingerprint = CommandFingerprint(idempotencyKey: request.idempotencyKey, name: request.name,
                                                 canonicalBody: canonicalJSON(command))
            do {
                return try await locks.withLocks([subject]) {
                  try await withOptimisticRetry(onConflict: { _ in try await repository.refresh(subject) }) { _ in
                    let loaded = try await repository.load(subject)
                    switch loaded.earlier(fingerprint) {
                    case .none: break
                    case .sameBody(let sequences): return .accepted(sequences: sequences, duplicate: true)
                    case .differentBody: return .idempotencyKeyReused
                    }
                    guard loaded.state < limit else {
                        return .rejected(code: "limit_reached", message: "counter \(command.counter) is full", field: nil)
                    }
                    let events = [CounterIncremented(counter: command.counter)]
                    let result = try await store.append(events, to: subject, expecting: loaded.expectation, idempotencyKey: fingerprint.storeKey)
                    if result.isDuplicate {
                        repository.forget(subject)
                    } else {
                        repository.appended(subject, from: loaded, events: events, sequences: result.sequences, idempotencyKey: fingerprint.storeKey)
                    }
                    return .accepted(sequences: result.sequences, duplicate: result.isDuplicate)
                  }
                }
            } catch EventStoreError.wrongExpectedVersion {
                return .rejected(code: "conflict", message: "counter \(command.counter) is busy; try again", field: nil)
            } catch {
                return .failed(message: "\(error)")
            }
        }
        return CounterReplica(nats: nats, server: server)
    }
}

@Suite("Command bus")
struct CommandBusTests {
    struct Setup {
        let admin: NATSConnection
        let replicas: [CounterReplica]
        let servers: [Task<Void, any Error>]
        let client: CommandClient
        let stream: String
        let prefix: String
        let url: String
        let commands: String

        static func make(replicas count: Int) async throws -> Setup {
            let env = try await TestServers.shared()
            let token = UUID().uuidString.prefix(8).lowercased()
            let stream = "CB_\(token.uppercased())", prefix = "cb\(token)", commands = "cmd.cb\(token)"
            let admin = try await NATSConnection.connect(NATSConnectOptions(url: env.natsURL, name: "admin"))
            try await admin.jetStream.createOrUpdateStream(StreamConfig(name: stream, subjects: ["\(prefix).>"], duplicateWindow: .seconds(120), allowAtomic: true))
            var replicas: [CounterReplica] = []
            for index in 0..<count {
                replicas.append(try await CounterReplica.start(url: env.natsURL, stream: stream, prefix: prefix, commands: commands, name: "replica-\(index)"))
            }
            // Subscribed at creation; a flush makes sure the server has registered them.
            for replica in replicas { try await replica.nats.flush() }
            let servers = replicas.map { replica in Task { try await replica.server.run() } }
            return Setup(admin: admin, replicas: replicas, servers: servers, client: CommandClient(connection: admin, prefix: commands),
                         stream: stream, prefix: prefix, url: env.natsURL, commands: commands)
        }

        func close() {
            servers.forEach { $0.cancel() }
            replicas.forEach { $0.nats.close() }
            admin.close()
        }

        func send(key: String, body: String) async throws -> CommandReply {
            try await client.send(CommandRequest(name: "increment", idempotencyKey: key, body: Array(body.utf8)))
        }

        func increment(_ counter: String, key: String) async throws -> CommandReply {
            // A deadline, not a latency goal: 64 clients on 5 counters append one after another per
            // counter, each waiting for nats-server's fsync (sync_interval always), and in the full
            // suite that fsync shares the disk with every other test (measured: up to 13 s for
            // the last of 192 commands, ~0.3 s per append).
            return try await client.send(CommandRequest(name: "increment", idempotencyKey: key, body: Array(try JSONEncoder().encode(IncrementCounter(counter: counter)))),
                                         timeout: .seconds(60))
        }
    }

    @Test("Given 3 handler replicas, when 64 clients race to increment 5 counters past their limit, then no counter passes it and every client got accepted or a typed rejection")
    func concurrentCommandsNeverBreakTheRule() async throws {
        let setup = try await Setup.make(replicas: 3)
        defer { setup.close() }
        let counters = (0..<5).map { "c\($0)" }
        let replies = try await withThrowingTaskGroup(of: [CommandReply].self) { group in
            for client in 0..<64 {
                group.addTask {
                    var replies: [CommandReply] = []
                    for attempt in 0..<3 {
                        replies.append(try await setup.increment(counters[(client + attempt) % counters.count], key: "client\(client)-\(attempt)"))
                    }
                    return replies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(replies.count == 192)
        let accepted = replies.filter { if case .accepted = $0 { true } else { false } }
        let rejected = replies.filter { if case .rejected(code: "limit_reached", _, _) = $0 { true } else { false } }
        let conflicts = replies.filter { if case .rejected(code: "conflict", _, _) = $0 { true } else { false } }
        #expect(accepted.count + rejected.count + conflicts.count == replies.count,
                "only accepted, limit_reached or conflict: \(replies.filter { if case .failed = $0 { true } else { false } })")
        // Every accepted command is exactly one stored event.
        let info = try await setup.admin.jetStream.streamInfo(setup.stream)
        #expect(info.state.messages == UInt64(accepted.count))
        // The event log itself: no counter holds more than its limit.
        for counter in counters {
            var events = 0
            for try await batch in try await OrderedConsumer.start(setup.admin.jetStream, stream: setup.stream, filter: "\(setup.prefix).counter.\(counter)", mode: .untilCaughtUp) {
                events += batch.count
            }
            #expect(events <= CounterReplica.limit, "\(counter) passed its limit")
            // Demand (192) exceeds supply (125): unless a command gave up on conflicts, every counter is full.
            if conflicts.isEmpty { #expect(events == CounterReplica.limit, "\(counter)") }
        }
    }

    @Test("Given an accepted command, when it is sent again with the same key, then the first result comes back and nothing is appended, even after the aggregate moved on")
    func retriedCommandGetsFirstResult() async throws {
        let setup = try await Setup.make(replicas: 2)
        defer { setup.close() }
        let first = try await setup.increment("c", key: "k-1")
        _ = try await setup.increment("c", key: "k-2")
        let again = try await setup.increment("c", key: "k-1")
        guard case .accepted(let sequences, _) = first else { Issue.record("first: \(first)"); return }
        #expect(again == .accepted(sequences: sequences, duplicate: true))
        #expect(try await setup.admin.jetStream.streamInfo(setup.stream).state.messages == 2)
    }

    @Test("bad input is a typed rejection naming the field; no handler running is a clear error")
    func badInputAndNoHandler() async throws {
        let setup = try await Setup.make(replicas: 1)
        let reply = try await setup.client.send(CommandRequest(name: "increment", idempotencyKey: "k", body: Array(#"{"counter":"a.b"}"#.utf8)))
        #expect(reply == .rejected(code: "bad_input", message: "counter must be an identifier", field: "counter"))
        setup.close()
        let connection = try await NATSConnection.connect(NATSConnectOptions(url: try await TestServers.shared().natsURL))
        defer { connection.close() }
        let prefix = "cmd.nobody\(UUID().uuidString.prefix(6))"
        let nobody = CommandClient(connection: connection, prefix: prefix)
        await #expect(throws: CommandBusError.noHandler("\(prefix).increment")) {
            try await nobody.send(CommandRequest(name: "increment", idempotencyKey: "k", body: []))
        }
    }
}
