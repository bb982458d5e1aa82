import EventStore
import Flows

/// Wire names of the flow domain: `flow.*` on `flows.<flowId>` (the definition's lifecycle) and
/// `run.*` on `runs.<flowId>.<runId>` (a run's lifecycle and trace). Version 1, except the three
/// trace events that gained optional timings and inputs in version 2 (upcast from 1 unchanged:
/// every added field is optional).
public enum FlowEventCatalog {
    static func register(into registry: inout AlmanacEventCatalog.Registrar) {
        let examples = FlowEventExamples.self
        registry.register(FlowCreated.self, as: "flow.created", version: 1) { [examples.created] }
        registry.register(FlowDraftSaved.self, as: "flow.draft_saved", version: 1) { examples.draftsSaved }
        registry.register(FlowPublished.self, as: "flow.published", version: 1) { [examples.published] }
        registry.register(FlowArchived.self, as: "flow.archived", version: 1) { [examples.archived] }
        registry.register(RunStarted.self, as: "run.started", version: 1) { examples.runsStarted }
        registry.register(StepScheduled.self, as: "run.step_scheduled", version: 1) { examples.stepsScheduled }
        registry.register(StepStarted.self, as: "run.step_started", version: 2) { examples.stepsStarted }
        registry.register(StepSucceeded.self, as: "run.step_succeeded", version: 2) { examples.stepsSucceeded }
        registry.register(StepFailed.self, as: "run.step_failed", version: 2) { examples.stepsFailed }
        for traced in ["run.step_started", "run.step_succeeded", "run.step_failed"] {
            registry.registry.upcast(traced, from: 1) { $0 }
        }
        registry.register(StepRetryScheduled.self, as: "run.step_retry_scheduled", version: 1) { [examples.retryScheduled] }
        registry.register(ApprovalRequested.self, as: "run.approval_requested", version: 1) { [examples.approvalRequested] }
        registry.register(ApprovalDecided.self, as: "run.approval_decided", version: 1) { examples.approvalsDecided }
        registry.register(RunCompleted.self, as: "run.completed", version: 1) { [examples.completed] }
        registry.register(RunFailed.self, as: "run.failed", version: 1) { examples.failed }
        registry.register(RunCancelled.self, as: "run.cancelled", version: 1) { [examples.cancelled] }
        registry.register(RunRetried.self, as: "run.retried", version: 1) { [examples.retried] }
    }
}

extension AlmanacEventCatalog {
    /// The wire name a run event is stored under.
    public static func wireName(of event: RunEvent) -> String {
        catalog.wireNames[ObjectIdentifier(type(of: event.payload))] ?? "unregistered"
    }

    /// The wire name a flow definition event is stored under.
    public static func wireName(of event: FlowEvent) -> String {
        catalog.wireNames[ObjectIdentifier(type(of: event.payload))] ?? "unregistered"
    }
}
