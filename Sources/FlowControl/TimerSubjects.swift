import Foundation

/// Subjects of timers in `SCHEDULES` (ADR-51 message schedules). A schedule's subject is its
/// identity: publishing to it again replaces the schedule, purging the subject removes it.
///
///   schedules.booking.<flowId>.<bookingId>     relative-time trigger of one flow for one booking
///   schedules.step.<flowId>.<runId>.<stepId>   a wait's end or an approval's deadline
///   schedules.cron.<flowId>                    the next firing of a cron flow
///   schedules.fired.<kind>                     where every schedule fires; flow-control consumes these
public enum TimerSubjects {
    public static let firedFilter = "schedules.fired.>"

    public static func booking(flowId: String, bookingId: String) -> String { "schedules.booking.\(flowId).\(bookingId)" }
    public static func step(flowId: String, runId: String, stepId: String) -> String { "schedules.step.\(flowId).\(runId).\(stepId)" }
    public static func cron(flowId: String) -> String { "schedules.cron.\(flowId)" }
    public static func fired(_ kind: TimerFiring.Kind) -> String { "schedules.fired.\(kind.rawValue)" }
}

/// The body of a schedule: what to do when it fires (the server copies it to the target).
public struct TimerFiring: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case booking, step, cron }

    public var kind: Kind
    public var flowId: String
    /// The instant the timer is for (the trigger's due time, a wait's end, a cron instant).
    public var dueAt: Date
    // booking
    public var bookingId: String?
    public var resourceId: String?
    // step
    public var runId: String?
    public var stepId: String?
    public var attempt: Int?

    public init(kind: Kind, flowId: String, dueAt: Date, bookingId: String? = nil, resourceId: String? = nil,
                runId: String? = nil, stepId: String? = nil, attempt: Int? = nil) {
        self.kind = kind
        self.flowId = flowId
        self.dueAt = dueAt
        self.bookingId = bookingId
        self.resourceId = resourceId
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public func encoded() throws -> [UInt8] { Array(try Self.encoder.encode(self)) }
    public static func decode(_ bytes: [UInt8]) throws -> TimerFiring { try decoder.decode(TimerFiring.self, from: Data(bytes)) }
}
