import CommandBus
import Foundation
import NATSClient
import Testing
import TestSupport

/// A key names one command: the same body again is a retry, another body under it is refused,
/// and both hold when the handler starts afresh with nothing cached.
@Suite("Idempotency key reuse")
struct IdempotencyKeyReuseTests {
    @Test("Given an accepted command, when the same key comes with the same body spelt differently, then the first result comes back and nothing is appended")
    func sameBodyOtherSpelling() async throws {
        let setup = try await CommandBusTests.Setup.make(replicas: 1)
        defer { setup.close() }
        let first = try await setup.send(key: "k-1", body: #"{"counter":"c","note":"first"}"#)
        let again = try await setup.send(key: "k-1", body: #"{ "note" : "first",  "counter" : "c" }"#)
        guard case .accepted(let sequences, false) = first else { Issue.record("first: \(first)"); return }
        #expect(again == .accepted(sequences: sequences, duplicate: true))
        #expect(try await setup.admin.jetStream.streamInfo(setup.stream).state.messages == 1)
    }

    @Test("Given an accepted command, when the same key comes with a different body, then it is refused as idempotency_key_reused and nothing is appended")
    func differentBodyIsRefused() async throws {
        let setup = try await CommandBusTests.Setup.make(replicas: 1)
        defer { setup.close() }
        _ = try await setup.send(key: "k-1", body: #"{"counter":"c","note":"first"}"#)
        let reused = try await setup.send(key: "k-1", body: #"{"counter":"c","note":"second"}"#)
        guard case .rejected(let code, let message, let field) = reused else { Issue.record("reused: \(reused)"); return }
        #expect(code == CommandReply.idempotencyKeyReusedCode)
        #expect(field == "idempotencyKey")
        #expect(message.contains("already used for a different request"))
        #expect(try await setup.admin.jetStream.streamInfo(setup.stream).state.messages == 1)
    }

    @Test("Given a command accepted by a handler that has since stopped, when a fresh handler gets the key with another body, then it refuses it, and the same body still gets the first result")
    func refusedAfterRestart() async throws {
        let setup = try await CommandBusTests.Setup.make(replicas: 1)
        defer { setup.close() }
        let first = try await setup.send(key: "k-1", body: #"{"counter":"c","note":"first"}"#)
        guard case .accepted(let sequences, false) = first else { Issue.record("first: \(first)"); return }
        // A new replica with an empty cache; the old one stops answering.
        let restarted = try await setup.restartedReplica()
        defer { restarted.servers.forEach { $0.cancel() }; restarted.replicas.forEach { $0.nats.close() } }
        let reused = try await restarted.send(key: "k-1", body: #"{"counter":"c","note":"second"}"#)
        #expect(reused == .idempotencyKeyReused)
        let retried = try await restarted.send(key: "k-1", body: #"{"counter":"c","note":"first"}"#)
        #expect(retried == .accepted(sequences: sequences, duplicate: true))
        #expect(try await setup.admin.jetStream.streamInfo(setup.stream).state.messages == 1)
    }

    @Test("a fingerprint's store key splits back into key and digest; keys without a digest are taken whole")
    func storeKeyRoundTrip() {
        let fingerprint = CommandFingerprint(idempotencyKey: "web-1#2", name: "place", canonicalBody: Array(#"{"a":1}"#.utf8))
        #expect(fingerprint.bodyDigest?.count == 32)
        #expect(CommandFingerprint(storeKey: fingerprint.storeKey) == fingerprint)
        #expect(CommandFingerprint(storeKey: "plain-key") == CommandFingerprint(idempotencyKey: "plain-key", bodyDigest: nil))
        #expect(CommandFingerprint(storeKey: "k#not-a-digest") == CommandFingerprint(idempotencyKey: "k#not-a-digest", bodyDigest: nil))
        let other = CommandFingerprint(idempotencyKey: "web-1#2", name: "cancel", canonicalBody: Array(#"{"a":1}"#.utf8))
        #expect(other.differs(from: fingerprint))
        #expect(!fingerprint.differs(from: CommandFingerprint(idempotencyKey: "web-1#2", bodyDigest: nil)))
    }
}

extension CommandBusTests.Setup {
    /// The replicas stop; one new replica, cache empty, answers on the same subjects.
    func restartedReplica() async throws -> CommandBusTests.Setup {
        servers.forEach { $0.cancel() }
        replicas.forEach { $0.nats.close() }
        let replica = try await CounterReplica.start(url: url, stream: stream, prefix: prefix, commands: commands, name: "restarted")
        try await replica.nats.flush()
        return CommandBusTests.Setup(admin: admin, replicas: [replica], servers: [Task { try await replica.server.run() }],
                                     client: client, stream: stream, prefix: prefix, url: url, commands: commands)
    }
}
