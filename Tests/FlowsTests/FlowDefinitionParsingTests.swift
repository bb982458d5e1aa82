import Flows
import Foundation
import Testing
import TestSupport

@Suite("Flow definitions: YAML, JSON, stable encoding, schema")
struct FlowDefinitionParsingTests {
    @Test("YAML and its JSON encoding read back to the same model, and the JSON is stable byte for byte")
    func yamlAndJSONAreTheSameModel() throws {
        let fromYAML = try FlowDefinition(parsing: everyKindYAML)
        let json = try fromYAML.stableJSON()
        let fromJSON = try FlowDefinition(parsing: String(decoding: json, as: UTF8.self))
        #expect(fromJSON == fromYAML)
        #expect(try fromJSON.stableJSON() == json)
        #expect(fromYAML.steps.map(\.action.kind) == [.approval, .wait, .branch, .httpRequest, .bookingCommand, .publishEvent, .wait, .sendEmail])
        #expect(FlowValidator.validate(fromYAML) == [])
    }

    @Test("a step of an unknown type is refused with its path and the types there are")
    func unknownStepType() {
        let yaml = """
        id: f
        name: F
        trigger: {type: manual}
        steps:
          - {id: a, type: send_email, to: [a@example.com], subject: s, body: b}
          - {id: b, type: send_sms}
        """
        #expect {
            try FlowDefinition(parsing: yaml)
        } throws: { error in
            let error = error as? FlowParseError
            return error?.path == "steps[1].type" && error?.message.contains("send_sms") == true && error?.message.contains("send_email") == true
        }
    }

    @Test("a missing required field is named by its path")
    func missingField() {
        #expect {
            try FlowDefinition(parsing: #"{"id": "f", "name": "F", "trigger": {"type": "schedule", "cron": "0 7 * * *"}, "steps": []}"#)
        } throws: { error in
            (error as? FlowParseError)?.path == "trigger.timeZone"
        }
    }

    @Test("the model's encoding of every starter flow and of a definition with every step kind validates against flow.schema.json")
    func encodingValidatesAgainstSchema() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flow-schema-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var files: [String] = []
        var sources = try starterFlowFiles().map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
        sources.append(("every-kind.yaml", everyKindYAML))
        for (name, text) in sources {
            let file = scratch.appendingPathComponent("\(name).json")
            try FlowDefinition(parsing: text).stableJSON().write(to: file)
            files.append(file.path)
        }
        let result = try await SchemaCheck.run([flowSchema.path] + files)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the schema itself is valid 2020-12 and refuses a definition with a wrong step shape")
    func schemaRefusesBadShape() async throws {
        let schemaCheck = try await SchemaCheck.run(["--schemas", flowSchema.deletingLastPathComponent().path])
        #expect(schemaCheck.status == 0, "\(schemaCheck.output)")
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-flow-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: bad) }
        try Data(#"{"id": "f", "name": "F", "trigger": {"type": "booking_time", "field": "start"}, "steps": [{"id": "w", "type": "wait", "colour": "red"}]}"#.utf8).write(to: bad)
        let result = try await SchemaCheck.run([flowSchema.path, bad.path])
        #expect(result.status == 1)
    }
}
