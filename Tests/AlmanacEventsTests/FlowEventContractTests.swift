import AlmanacEvents
import EventStore
import Flows
import Foundation
import Testing
import TestSupport

/// Flow and run events: every one has a wire name and a schema (the shared contract test checks
/// the examples against them); here, the events real decisions emit validate too, they survive
/// the event store's encoding, and the flow schema bundled in the event schemas is current.
@Suite("Flow event contracts")
struct FlowEventContractTests {
    let schemas = SchemaCheck.repositoryRoot.appendingPathComponent("schemas")

    @Test("the flow definition bundled in flow.draft_saved and flow.published is schemas/flows/flow.schema.json (else run schemas/flows/generate-event-schemas.py)")
    func bundledFlowSchemaIsCurrent() throws {
        let flowSchema = try JSONSerialization.jsonObject(with: Data(contentsOf: schemas.appendingPathComponent("flows/flow.schema.json"))) as? NSDictionary
        for name in ["flow.draft_saved", "flow.published"] {
            let eventSchema = try JSONSerialization.jsonObject(with: Data(contentsOf: schemas.appendingPathComponent("events/\(name).v1.schema.json"))) as? [String: Any]
            let bundled = (eventSchema?["$defs"] as? [String: Any])?["flow"] as? NSDictionary
            #expect(bundled == flowSchema, "\(name)")
        }
    }

    @Test("every run and flow event has a registered wire name, and the booking events flows can start on are registered")
    func wireNames() throws {
        let registered = Set(AlmanacEventCatalog.registry.registeredTypes.map(\.wireName))
        let runEvents: [RunEvent] = [
            .started(FlowEventExamples.runsStarted[0]), .stepScheduled(FlowEventExamples.stepsScheduled[0]), .stepStarted(FlowEventExamples.stepStarted),
            .stepSucceeded(FlowEventExamples.stepsSucceeded[0]), .stepFailed(FlowEventExamples.stepsFailed[0]),
            .stepRetryScheduled(FlowEventExamples.retryScheduled), .approvalRequested(FlowEventExamples.approvalRequested),
            .approvalDecided(FlowEventExamples.approvalsDecided[0]), .completed(FlowEventExamples.completed), .failed(FlowEventExamples.failed[0]),
            .cancelled(FlowEventExamples.cancelled), .retried(FlowEventExamples.retried),
        ]
        let flowEvents: [FlowEvent] = [.created(FlowEventExamples.created), .draftSaved(FlowEventExamples.draftsSaved[0]),
                                       .published(FlowEventExamples.published), .archived(FlowEventExamples.archived)]
        let names = runEvents.map(AlamanacNames.run) + flowEvents.map(AlamanacNames.flow)
        #expect(Set(names) == registered.filter { $0.hasPrefix("run.") || $0.hasPrefix("flow.") })
        #expect(names.count == Set(names).count)
        #expect(Set(BookingTriggerEvents.all).isSubset(of: registered))
        for example in FlowEventExamples.draftsSaved { #expect(FlowValidator.validate(example.definition) == [], "\(example.flowId)") }
    }

    @Test("events a run decision emits encode, decode to the same value, and validate against their schemas")
    func decidedRunEventsValidate() async throws {
        let flow = FlowEventExamples.everyKind
        var state = RunState()
        var emitted: [RunEvent] = []
        var now = Date(timeIntervalSince1970: 1_773_129_600)
        func decide(_ command: RunCommand) throws {
            let events = try RunDecider.decide(command, state, RunDecisionContext(flow: flow, now: now, unitRandom: 0.3)).get()
            emitted += events
            state = RunState.evolve(state, with: events)
        }
        try decide(.start(StartRun(runId: "run-1", flowVersion: 1, triggerKey: "button-1", triggerData: ["input": ["bookingId": "bk-1", "resourceId": "d-1"]])))
        try decide(.decideApproval(DecideApproval(stepId: "ask", outcome: .approved, decidedBy: "facilities@example.com")))
        now += 900
        try decide(.stepSucceeded(stepId: "pause", attempt: 1, output: [:]))
        try decide(.stepStarted(stepId: "release", attempt: 1))
        try decide(.stepFailed(stepId: "release", attempt: 1, error: StepError(kind: .network, message: "connection reset")))
        try decide(.stepSucceeded(stepId: "release", attempt: 2, output: ["released": true]))
        try decide(.stepTimedOut(stepId: "hook", attempt: 1))
        try decide(.stepFailed(stepId: "hook", attempt: 2, error: StepError(kind: .clientError, message: "404 Not Found")))
        try decide(.retryFromFailedStep(by: "editor@example.com"))
        try decide(.stepSucceeded(stepId: "hook", attempt: 3, output: ["status": 202]))
        try decide(.stepSucceeded(stepId: "announce", attempt: 1, output: [:]))
        try decide(.cancel(reason: "enough", by: "editor@example.com"))

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-decided-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let registry = AlmanacEventCatalog.registry
        let byName = Dictionary(grouping: emitted, by: AlmanacEventCatalog.wireName(of:))
        #expect(byName.count == 11, "\(byName.keys.sorted())")
        for (name, events) in byName.sorted(by: { $0.key < $1.key }) {
            let files = try events.enumerated().map { index, event in
                let body = try EventCoding.encoder.encode(AnyEncodable(event.payload))
                #expect(RunEvent(payload: try registry.decode(type: name, version: 1, body: body)) == event, "\(name) round trip")
                let file = scratch.appendingPathComponent("\(name)-\(index).json")
                try body.write(to: file)
                return file.path
            }
            let result = try await SchemaCheck.run([schemas.appendingPathComponent("events/\(name).v1.schema.json").path] + files)
            #expect(result.status == 0, "\(name): \(result.output)")
        }
    }
}

/// Wire names as plain functions, for `map`.
enum AlamanacNames {
    static func run(_ event: RunEvent) -> String { AlmanacEventCatalog.wireName(of: event) }
    static func flow(_ event: FlowEvent) -> String { AlmanacEventCatalog.wireName(of: event) }
}
