import AlmanacEvents
import EventStore
import FlowDesigner
import Flows
import Foundation
import NATSClient
import Testing
import TestSupport

@Suite("Flow designer", .timeLimit(.minutes(3)))
struct FlowDesignerTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A designer on the shared nats-server; every test uses flow ids of its own.
    static func designer(maximumAttempts: Int = 5) async throws -> (FlowDesigner, NATSConnection) {
        let env = try await TestServers.shared()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [env.natsURL], name: "flow-designer-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        return (FlowDesigner(jetStream: nats.jetStream, maximumAttempts: maximumAttempts), nats)
    }

    static func uniqueId(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A valid one-step flow (the shipped confirmation flow) under another id.
    static func flow(id: String, name: String = "Confirmation", description: String? = nil) throws -> FlowDefinition {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/flows/booking-confirmation.yaml"), encoding: .utf8)
        var definition = try FlowDefinition(parsing: text)
        definition.id = id
        definition.name = name
        definition.description = description
        return definition
    }

    @Test("Given a new flow, when a draft is saved and published, then show has the draft, version 1 and who did it")
    func saveThenPublish() async throws {
        let (designer, nats) = try await Self.designer()
        defer { nats.close() }
        let id = Self.uniqueId("confirm")
        let saved = try await designer.saveDraft(try Self.flow(id: id), by: "editor-ada")
        #expect(saved.draftRevision == 1)
        #expect(saved.events.count == 2, "created + draft saved")
        let published = try await designer.publish(id, by: "editor-bob")
        #expect(published.publishedVersion == 1)

        let shown = try await designer.show(id)
        #expect(shown.status == .published)
        #expect(shown.draftRevision == 1)
        #expect(shown.versions.map(\.version) == [1])
        #expect(shown.versions.first?.definition == (try Self.flow(id: id)))
        #expect(shown.versions.first?.publishedBy == "editor-bob")
        #expect(shown.updatedBy == "editor-bob", "the actor travels in the event's metadata")
        #expect(!shown.hasUnpublishedChanges)

        // The draft moves on; version 1 stays as it was.
        try await designer.saveDraft(try Self.flow(id: id, name: "Confirmation v2"), by: "editor-ada")
        let second = try await designer.publish(id, by: "editor-ada")
        #expect(second.publishedVersion == 2)
        let after = try await designer.show(id)
        #expect(after.versions.map(\.definition.name) == ["Confirmation", "Confirmation v2"])
        #expect(try await designer.list().contains { $0.flowId == id && $0.latestVersion == 2 })
    }

    @Test("Given an invalid definition, when saved, then it is refused with every error and its path, and nothing is stored")
    func invalidDraftRefused() async throws {
        let (designer, nats) = try await Self.designer()
        defer { nats.close() }
        let id = Self.uniqueId("broken")
        let text = """
            id: \(id)
            name: ""
            trigger: { type: booking_event, events: [booking.placed] }
            steps:
              - { id: first, type: wait, duration: soon, next: nowhere }
            """
        let (definition, errors) = FlowDesigner.validate(text: text)
        #expect(errors.count >= 3, "\(errors)")
        let error = await #expect(throws: FlowDesignerError.self) { try await designer.saveDraft(try #require(definition), by: "editor-ada") }
        #expect(error?.validationErrors == errors)
        #expect(error?.validationErrors.map(\.path).contains("name") == true)
        #expect(error.map { "\($0)" }?.contains("steps[0]") == true, "\(String(describing: error))")
        await #expect(throws: FlowDesignerError.unknownFlow(id)) { try await designer.show(id) }
    }

    @Test("Given text that is not a definition, when validated, then one error says where reading stopped")
    func unreadableText() {
        let (definition, errors) = FlowDesigner.validate(text: "id: x\nname: [unclosed\n")
        #expect(definition == nil)
        #expect(errors.count == 1)
    }

    @Test("Given an id that is not a subject token, when shown or published, then a typed error names the id and the rule")
    func badIds() async throws {
        let (designer, nats) = try await Self.designer()
        defer { nats.close() }
        for bad in ["a.b", "flows.>", "with space", "*", ""] {
            await #expect(throws: FlowDesignerError.self) { try await designer.show(bad) }
            await #expect(throws: FlowDesignerError.self) { try await designer.publish(bad, by: "editor-ada") }
        }
        let error = await #expect(throws: FlowDesignerError.self) { try await designer.archive("a.b", by: "editor-ada") }
        #expect(error.map { "\($0)" } == "flow id 'a.b' may contain only letters, digits, '_' and '-'")
        await #expect(throws: FlowDesignerError.missingActor) { try await designer.archive("fine-id", by: " ") }
    }

    @Test("Given a published flow, when archived, then new drafts are refused and the status is archived")
    func archive() async throws {
        let (designer, nats) = try await Self.designer()
        defer { nats.close() }
        let id = Self.uniqueId("old")
        try await designer.saveDraft(try Self.flow(id: id), by: "editor-ada")
        let never = Self.uniqueId("never")
        await #expect(throws: FlowDesignerError.rejected(flowId: never, .unknownFlow)) { try await designer.publish(never, by: "editor-ada") }
        try await designer.publish(id, by: "editor-ada")
        try await designer.archive(id, by: "editor-ada")
        #expect(try await designer.show(id).status == .archived)
        await #expect(throws: FlowDesignerError.rejected(flowId: id, .archived)) {
            try await designer.saveDraft(try Self.flow(id: id, name: "again"), by: "editor-ada")
        }
    }

    @Test("Given a write retried with the same idempotency key, when it arrives again, then the first result answers and nothing is appended")
    func idempotentRetry() async throws {
        let (designer, nats) = try await Self.designer()
        defer { nats.close() }
        let id = Self.uniqueId("retry")
        try await designer.saveDraft(try Self.flow(id: id), by: "editor-ada", idempotencyKey: "save-\(id)")
        let first = try await designer.publish(id, by: "editor-ada", idempotencyKey: "publish-\(id)")
        let again = try await designer.publish(id, by: "editor-ada", idempotencyKey: "publish-\(id)")
        #expect(!first.isDuplicate)
        #expect(again.isDuplicate)
        #expect(again.publishedVersion == 1)
        let shown = try await designer.show(id)
        #expect(shown.versions.count == 1)
        // The same draft saved again (new key) is no change at all.
        let same = try await designer.saveDraft(try Self.flow(id: id), by: "editor-ada")
        #expect(same.events.isEmpty)
        #expect(try await designer.show(id).lastSequence == shown.lastSequence)
    }

    @Test("Given several editors saving the same flow at once, when their appends conflict, then each is decided again and every save lands once")
    func concurrentSaves() async throws {
        let (designer, nats) = try await Self.designer(maximumAttempts: 20)
        defer { nats.close() }
        let id = Self.uniqueId("busy")
        try await designer.saveDraft(try Self.flow(id: id), by: "editor-ada")
        let editors = 6
        let revisions = try await withThrowingTaskGroup(of: Int?.self) { group in
            for editor in 0..<editors {
                let definition = try Self.flow(id: id, description: "edit by \(editor)")
                group.addTask { try await designer.saveDraft(definition, by: "editor-\(editor)").draftRevision }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1 ?? -1) }
        }
        #expect(revisions.sorted() == Array(2...(editors + 1)))
        #expect(try await designer.show(id).draftRevision == editors + 1)

        // An editor who started from an older revision is told to reload, not silently overwritten.
        await #expect(throws: FlowDesignerError.rejected(flowId: id, .draftChanged(expectedRevision: 1, currentRevision: editors + 1))) {
            try await designer.saveDraft(try Self.flow(id: id, name: "stale"), expectedRevision: 1, by: "editor-ada")
        }
    }

    @Test("Given the starter flows, when installed twice, then each is published once as version 1")
    func starterFlows() async throws {
        let env = try await TestServers.shared()
        let server = try await env.startPrivateNATS()
        let nats = try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "starter-flows-test"))
        try await AlmanacStreams.ensure(on: nats.jetStream)
        let designer = FlowDesigner(jetStream: nats.jetStream)
        let directory = Self.repositoryRoot.appendingPathComponent("deploy/flows")
        let first = try await designer.installStarterFlows(from: directory)
        #expect(first.map(\.flowId) == ["booking-confirmation", "booking-reminder", "desk-no-show-release", "weekly-utilisation-report"])
        #expect(first.allSatisfy { $0.installed && $0.version == 1 })
        let second = try await designer.installStarterFlows(from: directory)
        #expect(second.allSatisfy { !$0.installed && $0.version == 1 })
        #expect(try await designer.list().map(\.flowId) == first.map(\.flowId))
        nats.close()
        await server.stop()
    }
}
