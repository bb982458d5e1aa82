import EventStore
import Foundation
import NATSClient
import Testing
import TestSupport

/// Every event the code can emit validates against its JSON Schema in `schemas/events/`
/// (checked by python-jsonschema, a real draft 2020-12 validator), and so do the envelope
/// headers of an event as actually stored.
@Suite("Event contracts")
struct EventContractTests {
    @Test("every schema under schemas/ is a valid JSON Schema")
    func schemasAreValid() async throws {
        let result = try await SchemaCheck.run(["--schemas", repositoryRoot.appendingPathComponent("schemas").path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the envelope of a stored event validates against envelope.schema.json")
    func storedEnvelopeValidates() async throws {
        let scratch = try await ScratchStore.make("contract")
        defer { scratch.nats.close() }
        let subject = scratch.subject("c1")
        try await scratch.store.append([DeskFreed(deskId: "c1")], to: subject, expecting: .noStream, idempotencyKey: "k1",
                                       metadata: EventMetadata(correlationId: "c", causationId: "d", actor: "person:ada"))
        let stored = try #require(try await scratch.nats.jetStream.lastMessage(stream: scratch.store.stream, subject: subject))
        var headers: [String: String] = [:]
        for field in stored.headers { headers[field.name] = field.value }
        let file = try writeTemporaryJSON(headers)
        let result = try await SchemaCheck.run([repositoryRoot.appendingPathComponent("schemas/events/envelope.schema.json").path, file.path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("every registered example event validates against its schema of the same version")
    func examplesValidate() async throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/EventStoreTests/Fixtures")
        let examples = try TestCatalog.registry.examples()
        #expect(Set(examples.map(\.wireName)) == Set(TestCatalog.registry.registeredTypes.map(\.wireName)), "every type has an example")
        for example in examples {
            let schema = fixtures.appendingPathComponent("\(example.wireName).v\(example.version).schema.json")
            #expect(FileManager.default.fileExists(atPath: schema.path), "missing schema \(schema.lastPathComponent)")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).json")
            try example.body.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await SchemaCheck.run([schema.path, file.path])
            #expect(result.status == 0, "\(example.wireName): \(result.output)")
        }
    }

    @Test("a stored old version still decodes")
    func oldVersionsDecode() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/EventStoreTests/Fixtures")
        let body = try Data(contentsOf: fixtures.appendingPathComponent("test.desk_reserved.v1.example.json"))
        let event = try TestCatalog.registry.decode(type: "test.desk_reserved", version: 1, body: body)
        #expect((event as? DeskReserved)?.source == "unknown")
    }
}

func writeTemporaryJSON(_ value: some Encodable) throws -> URL {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).json")
    try JSONEncoder().encode(value).write(to: file)
    return file
}

