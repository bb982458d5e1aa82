import Foundation

/// One step of a flow: an id, what it does (`action`, written as `type` plus the kind's fields
/// at the same level), where the run goes next, and how long and how often it may be tried.
public struct FlowStep: Codable, Equatable, Sendable {
    /// Unique in the flow, subject-token safe (it appears in `<runId>/<stepId>/<attempt>`).
    public var id: String
    public var name: String?
    public var action: StepAction
    /// The step after this one: a step id, or `end`. Absent: the step listed next (or the end).
    /// Branch and approval steps choose among their own targets instead.
    public var next: String?
    /// How long one attempt may take (`30s`); absent: `StepDefaults.timeout(for:)`.
    public var timeout: String?
    public var retry: RetryPolicy?

    public init(id: String, name: String? = nil, action: StepAction, next: String? = nil, timeout: String? = nil, retry: RetryPolicy? = nil) {
        self.id = id
        self.name = name
        self.action = action
        self.next = next
        self.timeout = timeout
        self.retry = retry
    }

    /// `next` value that ends the run.
    public static let end = "end"

    enum CodingKeys: String, CodingKey { case id, name, type, next, timeout, retry }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        next = try container.decodeIfPresent(String.self, forKey: .next)
        timeout = try container.decodeIfPresent(String.self, forKey: .timeout)
        retry = try container.decodeIfPresent(RetryPolicy.self, forKey: .retry)
        let type = try container.decode(String.self, forKey: .type)
        guard let kind = StepKind(rawValue: type) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription:
                "unknown step type '\(type)' (\(StepKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        action = try StepAction(kind: kind, from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(action.kind.rawValue, forKey: .type)
        try container.encodeIfPresent(next, forKey: .next)
        try container.encodeIfPresent(timeout, forKey: .timeout)
        try container.encodeIfPresent(retry, forKey: .retry)
        try action.encodeFields(to: encoder)
    }
}

/// The kinds of step, as written in `type`.
public enum StepKind: String, Codable, Sendable, CaseIterable {
    case sendEmail = "send_email"
    case httpRequest = "http_request"
    case wait
    case branch
    case bookingCommand = "booking_command"
    case publishEvent = "publish_event"
    case approval

    /// Steps flow-control decides by itself, without a job for the runtime.
    public var isControl: Bool { self == .branch }
    /// Steps that pause the run until a time or a person: a loop through one of these is not a busy loop.
    public var pauses: Bool { self == .wait || self == .approval }
}

/// What a step does.
public enum StepAction: Equatable, Sendable {
    case sendEmail(SendEmailStep)
    case httpRequest(HTTPRequestStep)
    case wait(WaitStep)
    case branch(BranchStep)
    case bookingCommand(BookingCommandStep)
    case publishEvent(PublishEventStep)
    case approval(ApprovalStep)

    public var kind: StepKind {
        switch self {
        case .sendEmail: .sendEmail
        case .httpRequest: .httpRequest
        case .wait: .wait
        case .branch: .branch
        case .bookingCommand: .bookingCommand
        case .publishEvent: .publishEvent
        case .approval: .approval
        }
    }

    init(kind: StepKind, from decoder: any Decoder) throws {
        switch kind {
        case .sendEmail: self = .sendEmail(try SendEmailStep(from: decoder))
        case .httpRequest: self = .httpRequest(try HTTPRequestStep(from: decoder))
        case .wait: self = .wait(try WaitStep(from: decoder))
        case .branch: self = .branch(try BranchStep(from: decoder))
        case .bookingCommand: self = .bookingCommand(try BookingCommandStep(from: decoder))
        case .publishEvent: self = .publishEvent(try PublishEventStep(from: decoder))
        case .approval: self = .approval(try ApprovalStep(from: decoder))
        }
    }

    func encodeFields(to encoder: any Encoder) throws {
        switch self {
        case .sendEmail(let step): try step.encode(to: encoder)
        case .httpRequest(let step): try step.encode(to: encoder)
        case .wait(let step): try step.encode(to: encoder)
        case .branch(let step): try step.encode(to: encoder)
        case .bookingCommand(let step): try step.encode(to: encoder)
        case .publishEvent(let step): try step.encode(to: encoder)
        case .approval(let step): try step.encode(to: encoder)
        }
    }
}

/// Sends one mail. Every text is a Mustache template over the run's data. A recipient that
/// renders to several addresses separated by commas is several recipients.
public struct SendEmailStep: Codable, Equatable, Sendable {
    public var to: [String]
    public var cc: [String]?
    /// Sender mailbox; absent: the installation's default sender.
    public var from: String?
    public var subject: String
    /// Plain-text body.
    public var body: String
    /// HTML body, sent beside `body` when present.
    public var html: String?

    public init(to: [String], cc: [String]? = nil, from: String? = nil, subject: String, body: String, html: String? = nil) {
        self.to = to
        self.cc = cc
        self.from = from
        self.subject = subject
        self.body = body
        self.html = html
    }
}

/// Calls an HTTP endpoint; the response (status, headers, body, and `json` when the body is
/// JSON) is the step's output.
public struct HTTPRequestStep: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable { case GET, POST, PUT, PATCH, DELETE }

    public var method: Method
    /// Template; must render to an http(s) URL.
    public var url: String
    /// Header values are templates. A value naming a secret (`{{secrets.name}}`) is redacted in traces.
    public var headers: [String: String]?
    public var body: String?
    /// Response statuses that count as success; absent: 200-299.
    public var expectStatus: [Int]?

    public init(method: Method, url: String, headers: [String: String]? = nil, body: String? = nil, expectStatus: [Int]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.expectStatus = expectStatus
    }
}

/// Pauses the run: for a duration, or until a time (an expression such as `booking.start - 15m`).
/// Exactly one of the two. A time already past continues at once.
public struct WaitStep: Codable, Equatable, Sendable {
    public var duration: String?
    public var until: String?

    public init(duration: String? = nil, until: String? = nil) {
        self.duration = duration
        self.until = until
    }
}

/// Goes to the first case whose condition is true, else to `otherwise` (absent: the step listed
/// next, or the end).
public struct BranchStep: Codable, Equatable, Sendable {
    public struct Case: Codable, Equatable, Sendable {
        public var when: String
        public var next: String

        public init(when: String, next: String) {
            self.when = when
            self.next = next
        }
    }

    public var cases: [Case]
    public var otherwise: String?

    public init(cases: [Case], otherwise: String? = nil) {
        self.cases = cases
        self.otherwise = otherwise
    }
}

/// A command to the booking service, sent as the flow's system actor.
public struct BookingCommandStep: Codable, Equatable, Sendable {
    public enum Command: String, Codable, Sendable, CaseIterable {
        /// `booking.release_no_show`: frees a resource nobody checked in to.
        case releaseNoShow = "release_no_show"
        /// `booking.cancel`
        case cancel
    }

    public var command: Command
    /// Templates; default to the triggering booking (`{{booking.bookingId}}`, `{{booking.resourceId}}`).
    public var bookingId: String?
    public var resourceId: String?
    /// For `cancel`.
    public var reason: String?

    public init(command: Command, bookingId: String? = nil, resourceId: String? = nil, reason: String? = nil) {
        self.command = command
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.reason = reason
    }
}

/// Publishes a custom event for other systems on `events.<eventType>` (stream `EVENTS`).
public struct PublishEventStep: Codable, Equatable, Sendable {
    /// Subject-token safe name (`desk_released_notice`).
    public var eventType: String
    /// Field values are templates.
    public var data: [String: String]

    public init(eventType: String, data: [String: String] = [:]) {
        self.eventType = eventType
        self.data = data
    }
}

/// Waits for a person's decision in the studio. The output is `{ "outcome": "approved" |
/// "rejected", "decidedBy": ..., "timedOut": Bool }`; the run continues at `onApproved` or
/// `onRejected` (absent: the step listed next, or the end).
public struct ApprovalStep: Codable, Equatable, Sendable {
    public enum Outcome: String, Codable, Sendable, CaseIterable { case approved, rejected }

    /// Email addresses or `role:<name>` of who may decide.
    public var approvers: [String]
    /// Template shown to the approvers.
    public var message: String
    /// How long the decision may take (`2d`).
    public var decideWithin: String
    /// What happens when nobody decides in time.
    public var defaultOutcome: Outcome
    public var onApproved: String?
    public var onRejected: String?

    public init(approvers: [String], message: String, decideWithin: String, defaultOutcome: Outcome, onApproved: String? = nil, onRejected: String? = nil) {
        self.approvers = approvers
        self.message = message
        self.decideWithin = decideWithin
        self.defaultOutcome = defaultOutcome
        self.onApproved = onApproved
        self.onRejected = onRejected
    }
}
