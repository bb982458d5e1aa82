import Foundation
import Testing
import TestSupport

/// `almanac flows` as an editor or operator meets it: real processes, the shared nats-server.
@Suite("almanac flows")
struct FlowsCommandTests {
    func write(_ text: String, named name: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flows-cli-\(UUID().uuidString.prefix(8))-\(name)")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("Given an invalid definition file, when validated or saved, then every problem is a 'path: message' line and the exit status is 1")
    func invalidDefinition() async throws {
        let file = try write("""
            id: broken
            name: ""
            trigger: { type: booking_event, events: [booking.placed] }
            steps:
              - { id: first, type: wait, duration: soon, next: nowhere }
            """, named: "broken.yaml")
        let validated = try await BuiltProducts.run("almanac", ["flows", "validate", file.path])
        #expect(validated.status == .exited(code: 1))
        let lines = validated.errorOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("name: ") }, "\(validated.errorOutput)")
        #expect(lines.contains { $0.hasPrefix("steps[0]") }, "\(validated.errorOutput)")
        #expect(lines.last?.hasPrefix("almanac: \(file.path): \(lines.count - 1) problems") == true, "\(validated.errorOutput)")

        // Save refuses before anything connects: the server below does not exist.
        let saved = try await BuiltProducts.run("almanac", ["flows", "save", file.path, "--nats-url", "nats://127.0.0.1:1"])
        #expect(saved.status == .exited(code: 1))
        #expect(saved.errorOutput == validated.errorOutput)

        let good = try await BuiltProducts.run("almanac", ["flows", "validate", repositoryRoot.appendingPathComponent("deploy/flows/booking-reminder.yaml").path])
        #expect(good.status == .exited(code: 0), "\(good.errorOutput)")
        #expect(good.output.hasSuffix("booking-reminder.yaml: valid (flow booking-reminder, 1 step)\n"), "\(good.output)")
    }

    @Test("Given a valid definition, when saved, published and shown, then show lists version 1 by the editor; a bad id is one plain line")
    func saveThenPublishThenShow() async throws {
        let env = try await TestServers.shared()
        let id = "cli-\(UUID().uuidString.prefix(8).lowercased())"
        let starter = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/flows/booking-confirmation.yaml"), encoding: .utf8)
        let file = try write(starter.replacingOccurrences(of: "id: booking-confirmation", with: "id: \(id)"), named: "\(id).yaml")
        let nats = ["--nats-url", env.natsURL]

        let saved = try await BuiltProducts.run("almanac", ["flows", "save", file.path, "--as", "ada"] + nats)
        #expect(saved.status == .exited(code: 0), "\(saved.errorOutput)")
        #expect(saved.output == "flow \(id): draft saved as revision 1\n")
        let published = try await BuiltProducts.run("almanac", ["flows", "publish", id, "--as", "ada", "--idempotency-key", "publish-\(id)"] + nats)
        #expect(published.output == "flow \(id): published version 1\n", "\(published.errorOutput)")
        let again = try await BuiltProducts.run("almanac", ["flows", "publish", id, "--as", "ada", "--idempotency-key", "publish-\(id)"] + nats)
        #expect(again.output == "flow \(id): published version 1 (already published with this key)\n", "\(again.errorOutput)")

        let shown = try await BuiltProducts.run("almanac", ["flows", "show", id] + nats)
        #expect(shown.status == .exited(code: 0), "\(shown.errorOutput)")
        #expect(shown.output.contains("status    published\n"), "\(shown.output)")
        #expect(shown.output.split(separator: "\n").contains { $0.hasPrefix("  v1  ") && $0.contains("by ada") }, "\(shown.output)")
        let listed = try await BuiltProducts.run("almanac", ["flows", "list"] + nats)
        #expect(listed.output.split(separator: "\n").contains { $0.hasPrefix(id) && $0.contains("published") }, "\(listed.output)")

        let bad = try await BuiltProducts.run("almanac", ["flows", "publish", "a.b", "--as", "ada"] + nats)
        #expect(bad.status == .exited(code: 1))
        #expect(bad.errorOutput == "almanac: flow id 'a.b' may contain only letters, digits, '_' and '-'\n")
        let unknown = try await BuiltProducts.run("almanac", ["flows", "show", "no-such-\(id)"] + nats)
        #expect(unknown.status == .exited(code: 1))
        #expect(unknown.errorOutput == "almanac: there is no flow 'no-such-\(id)'\n")
    }
}
