import Flows
import Foundation
import Logging

/// Who pressed the magic button.
public struct ManualActor: Equatable, Sendable {
    public var id: String
    public var name: String?
    public var email: String?

    public init(id: String, name: String? = nil, email: String? = nil) {
        self.id = id
        self.name = name
        self.email = email
    }
}

extension FlowControl {
    /// Starts a run of a live `manual` flow with the given inputs, checked against the flow's
    /// typed input fields (every problem named, nothing started on bad input). Each press is its
    /// own run (the trigger key is `idempotencyKey`, or a fresh one): pass the same key to make a
    /// retried press start nothing twice.
    public func startManualRun(flowId: String, input: [String: FlowValue], actor: ManualActor, idempotencyKey: String? = nil) async throws -> RunStart {
        guard let published = await flows.live(flowId) else { throw FlowControlError.unknownFlow(flowId) }
        guard case .manual(let trigger) = published.definition.trigger else {
            throw FlowControlError.notManual(flowId: flowId, trigger: published.definition.trigger.type)
        }
        let checked = try Self.check(input, against: trigger.inputs)
        let data = TriggerData.merge(common(), [
            "actor": ["id": .string(actor.id), "name": .string(actor.name ?? ""), "email": .string(actor.email ?? "")],
            "input": .object(checked),
        ])
        let key = "manual/\(idempotencyKey ?? UUID().uuidString.lowercased())"
        return try await startRun(published.definition, version: published.version, triggerKey: key, data: data, actor: actor.id)
    }

    /// The inputs as the flow declares them: required ones present, each of its type, unknown
    /// ones refused; optional ones left out are empty.
    static func check(_ input: [String: FlowValue], against fields: [ManualInput]) throws -> [String: FlowValue] {
        let declared = Set(fields.map(\.name))
        if let unknown = input.keys.sorted().first(where: { !declared.contains($0) }) {
            throw FlowControlError.invalidInput(field: unknown, reason: "is not an input of this flow (it has \(fields.map(\.name).joined(separator: ", ")))")
        }
        var checked: [String: FlowValue] = [:]
        for field in fields {
            guard let value = input[field.name], value != .null else {
                if field.required == true { throw FlowControlError.invalidInput(field: field.name, reason: "is required") }
                checked[field.name] = .string("")
                continue
            }
            switch (field.type, value) {
            case (.text, .string), (.booking, .string), (.number, .number), (.boolean, .bool):
                checked[field.name] = value
            case (.email, .string(let text)):
                guard EmailAddress.isValid(text) else {
                    throw FlowControlError.invalidInput(field: field.name, reason: "\(text.debugDescription) is not a mail address")
                }
                checked[field.name] = value
            case (.date, .string(let text)):
                guard text.count == 10, (try? Date(text + "T00:00:00Z", strategy: .iso8601)) != nil else {
                    throw FlowControlError.invalidInput(field: field.name, reason: "\(text.debugDescription) is not a date (YYYY-MM-DD)")
                }
                checked[field.name] = value
            case (.datetime, .string(let text)):
                guard let time = FlowTime.parse(text) else {
                    throw FlowControlError.invalidInput(field: field.name, reason: "\(text.debugDescription) is not a time (RFC 3339)")
                }
                checked[field.name] = .string(FlowTime.format(time))
            default:
                throw FlowControlError.invalidInput(field: field.name, reason: "must be \(field.type.rawValue), got \(Self.kind(of: value))")
            }
        }
        return checked
    }

    static func kind(of value: FlowValue) -> String {
        switch value {
        case .null: "nothing"
        case .bool: "a true/false value"
        case .number: "a number"
        case .string: "text"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
