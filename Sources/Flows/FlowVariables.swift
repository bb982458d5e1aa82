import Foundation

/// The data a run of a flow can read, by trigger: what templates and expressions may name.
/// Flow-control fills exactly these when it starts a run (the names are the contract).
///
/// A name ending in `.*` is open: anything below it is accepted (an event's payload, a step's
/// output, a secret).
public struct FlowVariables: Equatable, Sendable {
    public private(set) var names: Set<String>

    public init(_ names: some Sequence<String>) { self.names = Set(names) }

    /// Whether `path` is provided: a declared name, an object above declared names (usable as a
    /// section), or anything below an open name.
    public func provides(_ path: [String]) -> Bool {
        let joined = path.joined(separator: ".")
        if names.contains(joined) { return true }
        for name in names {
            if name.hasSuffix(".*") {
                let base = String(name.dropLast(2))
                if joined == base || joined.hasPrefix(base + ".") { return true }
            } else if name.hasPrefix(joined + ".") {
                return true
            }
        }
        return false
    }

    /// Every run: the time, the flow, the run, the installation, earlier steps' outputs, secrets.
    static func common(stepIds: [String]) -> [String] {
        ["now", "flow.id", "flow.name", "flow.version", "run.id", "installation.name", "installation.url", "secrets.*"]
            + stepIds.flatMap { ["steps.\($0).output.*", "steps.\($0).attempt"] }
    }

    /// The booking (as flow-control knows it when the run starts) and who and what it is for.
    /// `startLocal`/`endLocal` are formatted in the site's time zone, for people to read.
    public static let booking = [
        "booking.bookingId", "booking.resourceId", "booking.siteId", "booking.personId", "booking.kind",
        "booking.start", "booking.end", "booking.startLocal", "booking.endLocal", "booking.attendees",
        "booking.bookerTimeZone", "booking.checkedIn",
        "person.id", "person.name", "person.email",
        "resource.id", "resource.name", "resource.kind",
        "site.id", "site.name", "site.timeZone",
    ]

    /// The triggering event itself.
    public static let event = ["event.id", "event.type", "event.occurredAt", "event.actor", "event.data.*"]

    /// What a flow with `trigger` and these steps can read.
    public static func available(for trigger: FlowTrigger, stepIds: [String]) -> FlowVariables {
        var names = common(stepIds: stepIds)
        switch trigger {
        case .bookingEvent:
            names += booking + event
        case .bookingTime:
            names += booking + ["timer.dueAt"]
        case .schedule(let schedule):
            names += ["schedule.scheduledFor", "schedule.timeZone"]
            if schedule.forEach == "site" {
                names += ["site.id", "site.name", "site.timeZone", "site.adminEmails", "site.admins.*"]
            }
        case .manual(let manual):
            names += ["actor.id", "actor.name", "actor.email"] + manual.inputs.map { "input.\($0.name)" }
        }
        return FlowVariables(names)
    }
}

/// The booking events a `booking_event` trigger can name (wire names of the booking domain;
/// a contract test checks each is registered in the event catalog).
public enum BookingTriggerEvents {
    public static let all = ["booking.placed", "booking.cancelled", "booking.rescheduled", "booking.moved_in",
                             "booking.checked_in", "booking.released_no_show"]
    /// Booking fields a `booking_time` trigger can be relative to.
    public static let timeFields = ["start", "end"]
}
