import AlmanacEvents
import EventStore
import Flows
import Foundation
import NATSClient

/// The flow designer API (used in-process by the studio and by `almanac flows`): list, show,
/// validate, save a draft, publish a version, archive.
///
/// Every write loads the flow from `flows.<flowId>` in `FLOWS`, decides with `FlowDecider`, and
/// appends with the subject's last sequence as expectation; when someone else appended first it
/// reloads and decides again (at most `maximumAttempts` times), never overwrites. Each write
/// carries an idempotency key: a retried write answers with the first write's events.
public struct FlowDesigner: Sendable {
    public let store: EventStore
    public let maximumAttempts: Int

    public init(store: EventStore, maximumAttempts: Int = 5) {
        self.store = store
        self.maximumAttempts = max(1, maximumAttempts)
    }

    /// The designer over the `FLOWS` stream with the catalog's event types.
    public init(jetStream: JetStream, maximumAttempts: Int = 5) {
        self.init(store: EventStore(jetStream: jetStream, stream: AlmanacStreams.flows, registry: AlmanacEventCatalog.registry),
                  maximumAttempts: maximumAttempts)
    }

    /// What a write did.
    public struct Change: Equatable, Sendable {
        public let flowId: String
        /// The events appended (or, for a retried key, the ones the first attempt appended);
        /// empty when the flow already was as asked (e.g. the same draft saved again).
        public let events: [FlowEvent]
        /// The idempotency key was used before: nothing new was appended.
        public let isDuplicate: Bool

        /// The version a publish made.
        public var publishedVersion: Int? {
            events.lazy.compactMap { if case .published(let e) = $0 { e.version } else { nil } }.first
        }
        /// The draft revision a save made.
        public var draftRevision: Int? {
            events.lazy.compactMap { if case .draftSaved(let e) = $0 { e.revision } else { nil } }.first
        }
    }

    // MARK: Writes

    /// Saves `definition` as the flow's draft (creating the flow on its first save). Refused
    /// with every validation error listed when it is invalid. `expectedRevision` refuses a save
    /// over a newer draft than the one the editor started from.
    @discardableResult
    public func saveDraft(_ definition: FlowDefinition, expectedRevision: Int? = nil, by actor: String,
                          idempotencyKey: String? = nil) async throws -> Change {
        let errors = FlowValidator.validate(definition)
        // An id that cannot be a subject is reported with the other problems, not as a NATS error.
        if SubjectToken.problem(with: definition.id) != nil, !errors.isEmpty {
            throw FlowDesignerError.rejected(flowId: definition.id, .invalid(errors))
        }
        return try await write(.saveDraft(definition, expectedRevision: expectedRevision, by: actor), flowId: definition.id,
                               actor: actor, idempotencyKey: idempotencyKey)
    }

    /// Makes the current draft the next immutable version.
    @discardableResult
    public func publish(_ flowId: String, by actor: String, idempotencyKey: String? = nil) async throws -> Change {
        try await write(.publish(by: actor), flowId: flowId, actor: actor, idempotencyKey: idempotencyKey)
    }

    /// Archives the flow: no new runs start; running ones finish on their version.
    @discardableResult
    public func archive(_ flowId: String, by actor: String, idempotencyKey: String? = nil) async throws -> Change {
        try await write(.archive(by: actor), flowId: flowId, actor: actor, idempotencyKey: idempotencyKey)
    }

    private func write(_ command: FlowCommand, flowId: String, actor: String, idempotencyKey: String?) async throws -> Change {
        let subject = try Self.subject(of: flowId)
        guard !actor.trimmingCharacters(in: .whitespaces).isEmpty else { throw FlowDesignerError.missingActor }
        // One key for every attempt of this write: a conflict stores nothing, so the key is
        // still unused when the write is decided again.
        let key = idempotencyKey ?? UUID().uuidString.lowercased()
        for _ in 0..<maximumAttempts {
            let recorded = try await store.read(subject: subject)
            let earlier = recorded.filter { $0.envelope.eventId.hasPrefix("\(key)/") }
            if !earlier.isEmpty {
                // The same write again (a retry after a lost answer): the first result, nothing new.
                return Change(flowId: flowId, events: earlier.compactMap { FlowEvent(payload: $0.event) }, isDuplicate: true)
            }
            let state = FlowSnapshot.fold(recorded.compactMap { FlowEvent(payload: $0.event) })
            let events: [FlowEvent]
            switch FlowDecider.decide(command, state, flowId: flowId) {
            case .success(let decided): events = decided
            case .failure(let rejection): throw FlowDesignerError.rejected(flowId: flowId, rejection)
            }
            if events.isEmpty { return Change(flowId: flowId, events: [], isDuplicate: false) }
            let expecting: ExpectedVersion = recorded.last.map { .sequence($0.sequence) } ?? .noStream
            do {
                let result = try await store.append(events.map(\.payload), to: subject, expecting: expecting, idempotencyKey: key,
                                                    metadata: EventMetadata(correlationId: key, actor: actor))
                return Change(flowId: flowId, events: events, isDuplicate: result.isDuplicate)
            } catch EventStoreError.wrongExpectedVersion {
                continue
            }
        }
        throw FlowDesignerError.tooManyConflicts(flowId: flowId, attempts: maximumAttempts)
    }

    // MARK: Reads

    /// The flow as its events left it; `unknownFlow` when it has none.
    public func show(_ flowId: String) async throws -> FlowSnapshot {
        let recorded = try await store.read(subject: try Self.subject(of: flowId))
        guard let snapshot = FlowSnapshot(flowId: flowId, recorded: recorded) else { throw FlowDesignerError.unknownFlow(flowId) }
        return snapshot
    }

    /// Every flow in `FLOWS`, by id. Reads the whole stream: fine for the designer's scale and
    /// the CLI; the studio's lists come from the `flows` read model.
    public func list() async throws -> [FlowSnapshot] {
        var bySubject: [String: [RecordedEvent]] = [:]
        for try await batch in try await store.subscribe(filter: "\(Self.subjectPrefix)>", mode: .untilCaughtUp) {
            for event in batch { bySubject[event.subject, default: []].append(event) }
        }
        return bySubject.compactMap { subject, recorded in
            FlowSnapshot(flowId: String(subject.dropFirst(Self.subjectPrefix.count)), recorded: recorded)
        }.sorted { $0.flowId < $1.flowId }
    }

    static let subjectPrefix = "flows."

    /// `flows.<flowId>`, once the id is known to be one subject token.
    public static func subject(of flowId: String) throws(FlowDesignerError) -> String {
        if let problem = SubjectToken.problem(with: flowId) { throw .invalidFlowId(flowId, reason: problem) }
        return subjectPrefix + flowId
    }
}

extension FlowSnapshot {
    static func fold(_ events: [FlowEvent]) -> FlowState { FlowState.evolve(FlowState(), with: events) }

    /// Folds a flow's recorded events; nil when there are none.
    init?(flowId: String, recorded: [RecordedEvent]) {
        guard let last = recorded.last else { return nil }
        var state = FlowState()
        var versions: [FlowVersion] = []
        for event in recorded {
            guard let flowEvent = FlowEvent(payload: event.event) else { continue }
            state = FlowState.evolve(state, flowEvent)
            if case .published(let published) = flowEvent {
                versions.append(FlowVersion(version: published.version, definition: published.definition,
                                            publishedAt: event.envelope.occurredAt, publishedBy: published.publishedBy))
            }
        }
        self.init(flowId: flowId, state: state, versions: versions, updatedAt: last.envelope.occurredAt,
                  updatedBy: last.envelope.actor, lastSequence: last.sequence)
    }
}
