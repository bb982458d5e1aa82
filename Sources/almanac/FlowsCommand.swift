import ArgumentParser
import EventStore
import FlowDesigner
import Flows
import Foundation
import Logging
import NATSClient
import OperatorTools

/// `almanac flows`: the flow designer API from a terminal (what the studio does in-process).
struct FlowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List, show, validate, save, publish and archive flow definitions (events in FLOWS).",
        discussion: """
        Examples:
          almanac flows validate deploy/flows/booking-reminder.yaml     no server needed
          almanac flows save my-flow.yaml --as ada                     save the draft
          almanac flows publish my-flow --as ada                       make version N from the draft
          almanac flows show my-flow --definition                      the draft as JSON
        """,
        subcommands: [List.self, Show.self, Validate.self, Save.self, Publish.self, Archive.self])

    /// Who makes a change (recorded with the event) and the write's idempotency key.
    struct WriteOptions: ParsableArguments {
        @Option(name: .customLong("as"), help: "Who makes the change (recorded in the event). Env: ALMANAC_ACTOR, else USER.")
        var actorFlag: String?

        @Option(name: .customLong("idempotency-key"), help: "Key of this change: the same key again appends nothing. Default: a new one.")
        var idempotencyKey: String?

        var actor: String {
            actorFlag ?? ProcessInfo.processInfo.environment["ALMANAC_ACTOR"] ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
        }
    }

    static func designer(_ nats: NATSOptions) async throws -> (FlowDesigner, NATSConnection) {
        let connection = try await nats.connect(name: "almanac-flows")
        try await AlmanacStreams.ensure(on: connection.jetStream)
        return (FlowDesigner(jetStream: connection.jetStream), connection)
    }

    /// Every problem on its own line (`path: message`) on stderr, then exit status 1.
    static func fail(listing errors: [FlowValidationError], about what: String) -> ExitCode {
        let lines = errors.map { "\($0.path): \($0.message)\n" }.joined()
        FileHandle.standardError.write(Data((lines + "almanac: \(what): \(errors.count) problem\(errors.count == 1 ? "" : "s")\n").utf8))
        return ExitCode.failure
    }

    static func read(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        return String(decoding: data, as: UTF8.self)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every flow: id, status, latest version, draft revision, name.")
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let (designer, connection) = try await FlowsCommand.designer(nats)
            defer { connection.close() }
            let flows = try await designer.list()
            var table = TextTable(columns: ["flow", "status", "version", "draft", "name"])
            for flow in flows {
                table.add([flow.flowId, flow.status.rawValue, "v\(flow.latestVersion)", "r\(flow.draftRevision)", flow.name])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A flow's draft and published versions.")
        @Argument(help: "Flow id.") var flowId: String
        @Flag(name: .customLong("definition"), help: "Print the definition as JSON (the draft, or --version N).") var printDefinition = false
        @Option(name: .customLong("version"), help: "With --definition: this published version instead of the draft.") var version: Int?
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            _ = try FlowDesigner.subject(of: flowId)
            let (designer, connection) = try await FlowsCommand.designer(nats)
            defer { connection.close() }
            let flow = try await designer.show(flowId)
            if printDefinition {
                let definition: FlowDefinition?
                if let version {
                    guard let found = flow.versions.first(where: { $0.version == version }) else {
                        throw ValidationError("flow '\(flowId)' has no version \(version) (latest: \(flow.latestVersion))")
                    }
                    definition = found.definition
                } else {
                    definition = flow.draft
                }
                guard let definition else { throw ValidationError("flow '\(flowId)' has no draft") }
                print(String(decoding: try definition.stableJSON(), as: UTF8.self))
                return
            }
            print("flow      \(flow.flowId)")
            print("name      \(flow.name)")
            print("status    \(flow.status.rawValue)")
            print("draft     revision \(flow.draftRevision)\(flow.hasUnpublishedChanges ? " (not published)" : "")")
            print("updated   \(Timestamp.format(flow.updatedAt)) by \(flow.updatedBy ?? "?")")
            print("versions  \(flow.versions.isEmpty ? "none" : "")")
            for version in flow.versions {
                print("  v\(version.version)  \(Timestamp.format(version.publishedAt))  by \(version.publishedBy)  \(version.definition.name)")
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a definition file (YAML or JSON) and list every problem; no server needed.")
        @Argument(help: "Definition file.") var file: String

        func run() async throws {
            let (definition, errors) = FlowDesigner.validate(text: try FlowsCommand.read(file))
            guard errors.isEmpty, let definition else { throw FlowsCommand.fail(listing: errors, about: file) }
            print("\(file): valid (flow \(definition.id), \(definition.steps.count) step\(definition.steps.count == 1 ? "" : "s"))")
        }
    }

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a definition file as its flow's draft (refused with every problem listed when invalid).")
        @Argument(help: "Definition file.") var file: String
        @Option(name: .customLong("expect-revision"), help: "Refuse when the draft is no longer at this revision.") var expectedRevision: Int?
        @OptionGroup var write: WriteOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            let (definition, errors) = FlowDesigner.validate(text: try FlowsCommand.read(file))
            guard errors.isEmpty, let definition else { throw FlowsCommand.fail(listing: errors, about: file) }
            let (designer, connection) = try await FlowsCommand.designer(nats)
            defer { connection.close() }
            do {
                let change = try await designer.saveDraft(definition, expectedRevision: expectedRevision, by: write.actor,
                                                          idempotencyKey: write.idempotencyKey)
                if let revision = change.draftRevision {
                    print("flow \(definition.id): draft saved as revision \(revision)\(change.isDuplicate ? " (already saved with this key)" : "")")
                } else {
                    print("flow \(definition.id): draft unchanged")
                }
            } catch let error as FlowDesignerError where !error.validationErrors.isEmpty {
                throw FlowsCommand.fail(listing: error.validationErrors, about: file)
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a flow's draft as its next immutable version.")
        @Argument(help: "Flow id.") var flowId: String
        @OptionGroup var write: WriteOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            _ = try FlowDesigner.subject(of: flowId)
            let (designer, connection) = try await FlowsCommand.designer(nats)
            defer { connection.close() }
            do {
                let change = try await designer.publish(flowId, by: write.actor, idempotencyKey: write.idempotencyKey)
                print("flow \(flowId): published version \(change.publishedVersion ?? 0)\(change.isDuplicate ? " (already published with this key)" : "")")
            } catch let error as FlowDesignerError where !error.validationErrors.isEmpty {
                throw FlowsCommand.fail(listing: error.validationErrors, about: "flow '\(flowId)'")
            }
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive a flow: no new runs start; running ones finish.")
        @Argument(help: "Flow id.") var flowId: String
        @OptionGroup var write: WriteOptions
        @OptionGroup var nats: NATSOptions

        func run() async throws {
            _ = try FlowDesigner.subject(of: flowId)
            let (designer, connection) = try await FlowsCommand.designer(nats)
            defer { connection.close() }
            try await designer.archive(flowId, by: write.actor, idempotencyKey: write.idempotencyKey)
            print("flow \(flowId): archived")
        }
    }
}

extension FlowsCommand {
    /// `almanac dev`: saves and publishes the starter flows of `deploy/flows/` (next to the
    /// schemas folder) that are not published yet. A missing folder or a refused flow is logged,
    /// not fatal: the rest of the installation runs without them.
    static func installStarterFlows(jetStream: JetStream, logger: Logger) async {
        do {
            let folder = try SchemaLocation.directory().deletingLastPathComponent().appendingPathComponent("deploy/flows")
            let results = try await FlowDesigner(jetStream: jetStream).installStarterFlows(from: folder, by: "almanac-dev")
            logger.info("starter flows ready", metadata: ["published now": "\(results.filter(\.installed).map(\.flowId))",
                                                         "already there": "\(results.filter { !$0.installed }.count)"])
        } catch {
            logger.warning("starter flows not installed: \(error)")
        }
    }
}
