import Foundation

/// A flow as an editor writes it (YAML or JSON, same model; `schemas/flows/flow.schema.json`):
/// an id, a name, one trigger, and steps. The first step runs first; each step names the one
/// after it (`next`), or the run goes on with the step listed below it, or ends after the last.
///
/// Durations, cron schedules, expressions and templates are kept as written (so a definition
/// round-trips unchanged); `FlowValidator` reads them and lists every problem with its path.
public struct FlowDefinition: Codable, Equatable, Sendable {
    /// Subject token (`[A-Za-z0-9_-]{1,64}`): the flow lives on `flows.<id>`.
    public var id: String
    public var name: String
    public var description: String?
    public var trigger: FlowTrigger
    public var steps: [FlowStep]

    public init(id: String, name: String, description: String? = nil, trigger: FlowTrigger, steps: [FlowStep]) {
        self.id = id
        self.name = name
        self.description = description
        self.trigger = trigger
        self.steps = steps
    }

    public func step(_ id: String) -> FlowStep? { steps.first { $0.id == id } }
}

/// What starts a run.
public enum FlowTrigger: Codable, Equatable, Sendable {
    /// A booking event (`booking.placed`, ...) whose data passes `filter`.
    case bookingEvent(BookingEventTrigger)
    /// A time relative to a booking field: "24h before start", "15m after start".
    case bookingTime(BookingTimeTrigger)
    /// A cron schedule in an IANA time zone.
    case schedule(ScheduleTrigger)
    /// A "magic button" in the studio, asking for typed inputs.
    case manual(ManualTrigger)

    enum CodingKeys: String, CodingKey { case type }

    /// The `type` value of each case on the wire.
    public var type: String {
        switch self {
        case .bookingEvent: "booking_event"
        case .bookingTime: "booking_time"
        case .schedule: "schedule"
        case .manual: "manual"
        }
    }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .type)
        switch type {
        case "booking_event": self = .bookingEvent(try BookingEventTrigger(from: decoder))
        case "booking_time": self = .bookingTime(try BookingTimeTrigger(from: decoder))
        case "schedule": self = .schedule(try ScheduleTrigger(from: decoder))
        case "manual": self = .manual(try ManualTrigger(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.type],
                                                    debugDescription: "unknown trigger type '\(type)' (booking_event, booking_time, schedule or manual)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .bookingEvent(let trigger): try trigger.encode(to: encoder)
        case .bookingTime(let trigger): try trigger.encode(to: encoder)
        case .schedule(let trigger): try trigger.encode(to: encoder)
        case .manual(let trigger): try trigger.encode(to: encoder)
        }
    }
}

public struct BookingEventTrigger: Codable, Equatable, Sendable {
    /// Wire names of the booking events that start a run (see `BookingTriggerData.eventTypes`).
    public var events: [String]
    /// Expression over the trigger data; the run starts only when it is true.
    public var filter: String?

    public init(events: [String], filter: String? = nil) {
        self.events = events
        self.filter = filter
    }
}

public struct BookingTimeTrigger: Codable, Equatable, Sendable {
    /// `start` or `end` of the booking.
    public var field: String
    /// Duration before the field's time (`24h`); exactly one of `before` and `after`.
    public var before: String?
    /// Duration after the field's time (`15m`).
    public var after: String?
    /// Evaluated when the timer fires, over the booking as it is then (a check-in meanwhile counts).
    public var filter: String?

    public init(field: String, before: String? = nil, after: String? = nil, filter: String? = nil) {
        self.field = field
        self.before = before
        self.after = after
        self.filter = filter
    }
}

public struct ScheduleTrigger: Codable, Equatable, Sendable {
    /// Five-field cron (`0 7 * * MON`).
    public var cron: String
    /// IANA zone the schedule is read in (`Europe/Zurich`).
    public var timeZone: String
    /// `site`: one run per site, with that site's data (`site.*`); absent: one run.
    public var forEach: String?

    public init(cron: String, timeZone: String, forEach: String? = nil) {
        self.cron = cron
        self.timeZone = timeZone
        self.forEach = forEach
    }
}

public struct ManualTrigger: Codable, Equatable, Sendable {
    /// Shown on the button.
    public var label: String?
    /// What the person pressing the button is asked for; available as `input.<name>`.
    public var inputs: [ManualInput]

    public init(label: String? = nil, inputs: [ManualInput] = []) {
        self.label = label
        self.inputs = inputs
    }

    enum CodingKeys: String, CodingKey { case label, inputs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        inputs = try container.decodeIfPresent([ManualInput].self, forKey: .inputs) ?? []
    }
}

public struct ManualInput: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case text, number, boolean, date, datetime, email, booking
    }

    public var name: String
    public var type: Kind
    public var label: String?
    public var required: Bool?

    public init(name: String, type: Kind, label: String? = nil, required: Bool? = nil) {
        self.name = name
        self.type = type
        self.label = label
        self.required = required
    }
}
