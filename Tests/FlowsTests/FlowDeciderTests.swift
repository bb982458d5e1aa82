import Flows
import Foundation
import Testing

@Suite("Flow definition lifecycle")
struct FlowDeciderTests {
    let flow = placedFlow([mail("confirm")])

    func decide(_ command: FlowCommand, given: [FlowEvent] = []) -> Result<[FlowEvent], FlowRejection> {
        FlowDecider.decide(command, FlowState.evolve(FlowState(), with: given), flowId: "test-flow")
    }

    @Test("given no flow, when a draft is saved, then the flow is created with draft revision 1")
    func givenNothingWhenDraftSavedThenCreated() {
        #expect(decide(.saveDraft(flow, expectedRevision: nil, by: "ed")) == .success([
            .created(FlowCreated(flowId: "test-flow", name: "Test flow", createdBy: "ed")),
            .draftSaved(FlowDraftSaved(flowId: "test-flow", revision: 1, definition: flow, savedBy: "ed")),
        ]))
    }

    @Test("given an invalid definition, when saved, then every error is listed with its path and nothing is saved")
    func givenInvalidWhenSavedThenAllErrors() {
        let bad = placedFlow([mail("confirm", to: "nobody", next: "missing"), mail("confirm", body: "{{booking.colour}}")])
        guard case .failure(.invalid(let errors)) = decide(.saveDraft(bad, expectedRevision: nil, by: "ed")) else {
            Issue.record("not refused")
            return
        }
        #expect(errors.map(\.path) == ["steps[0].to[0]", "steps[0].next", "steps[1].id", "steps[1].body", "steps[1]"])
        #expect(FlowRejection.invalid(errors).description.hasPrefix("the definition has 5 problems:\n  steps[0].to[0]: 'nobody' is not an email address"))
    }

    @Test("given a draft, when published twice, then version 1 is immutable and the second publish has nothing new; a changed draft becomes version 2")
    func givenDraftWhenPublishedThenVersions() throws {
        var history = try decide(.saveDraft(flow, expectedRevision: 0, by: "ed")).get()
        history += try decide(.publish(by: "ed"), given: history).get()
        #expect(FlowState.evolve(FlowState(), with: history).versions == [1: flow])
        #expect(decide(.publish(by: "ed"), given: history) == .failure(.nothingToPublish(version: 1)))
        var changed = flow
        changed.name = "Test flow, reworded"
        history += try decide(.saveDraft(changed, expectedRevision: 1, by: "ed"), given: history).get()
        #expect(try decide(.publish(by: "ed"), given: history).get() == [.published(FlowPublished(flowId: "test-flow", version: 2, definition: changed, publishedBy: "ed"))])
    }

    @Test("given someone saved meanwhile, when a stale revision is saved over it, then refused; saving the same draft again changes nothing")
    func givenConcurrentEditThenRefused() throws {
        let history = try decide(.saveDraft(flow, expectedRevision: nil, by: "ed")).get()
        var other = flow
        other.description = "mine"
        #expect(decide(.saveDraft(other, expectedRevision: 0, by: "al"), given: history) == .failure(.draftChanged(expectedRevision: 0, currentRevision: 1)))
        #expect(decide(.saveDraft(flow, expectedRevision: 1, by: "ed"), given: history) == .success([]))
    }

    @Test("given an archived flow, then nothing more can be saved or published; a definition for another flow is refused")
    func givenArchivedThenRefused() throws {
        var history = try decide(.saveDraft(flow, expectedRevision: nil, by: "ed")).get()
        history += try decide(.archive(by: "ed"), given: history).get()
        #expect(decide(.publish(by: "ed"), given: history) == .failure(.archived))
        var foreign = flow
        foreign.id = "other"
        #expect(decide(.saveDraft(foreign, expectedRevision: nil, by: "ed")) == .failure(.wrongFlow(expected: "test-flow", got: "other")))
        #expect(decide(.publish(by: "ed")) == .failure(.unknownFlow))
    }
}
