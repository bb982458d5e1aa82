import Foundation

extension FlowDefinition {
    /// Where the run goes after the step at `index` when it names nothing: the step listed below
    /// it, or the end after the last.
    public func fallThrough(after index: Int) -> String {
        index + 1 < steps.count ? steps[index + 1].id : FlowStep.end
    }

    /// Every step id (or `end`) the step at `index` can lead to, with the path of the field that
    /// names it (for errors).
    public func successors(ofStepAt index: Int) -> [(target: String, path: String)] {
        let step = steps[index]
        let base = "steps[\(index)]"
        let fallThrough = fallThrough(after: index)
        switch step.action {
        case .branch(let branch):
            return branch.cases.enumerated().map { ($1.next, "\(base).cases[\($0)].next") }
                + [(branch.otherwise ?? fallThrough, "\(base).otherwise")]
        case .approval(let approval):
            return [(approval.onApproved ?? step.next ?? fallThrough, "\(base).onApproved"),
                    (approval.onRejected ?? step.next ?? fallThrough, "\(base).onRejected")]
        default:
            return [(step.next ?? fallThrough, "\(base).next")]
        }
    }

    /// The step after `stepId` for a step that is not a branch or an approval (those choose).
    public func next(after stepId: String) -> String? {
        guard let index = steps.firstIndex(where: { $0.id == stepId }) else { return nil }
        return steps[index].next ?? fallThrough(after: index)
    }
}
