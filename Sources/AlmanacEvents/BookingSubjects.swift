import Booking
import EventStore
import NATSClient

/// Subjects of the booking aggregates in the `BOOKINGS` stream, built only from validated
/// tokens: an id with `.`, `*`, `>`, a space or more than 64 characters never becomes a subject.
public enum BookingSubjects {
    public static let prefix = "bookings"

    /// `bookings.site.<siteId>`
    public static func site(_ id: SiteID) throws(SubjectTokenError) -> String { "\(prefix).site.\(try SubjectToken(id))" }
    /// `bookings.resource.<resourceId>`
    public static func resource(_ id: ResourceID) throws(SubjectTokenError) -> String { "\(prefix).resource.\(try SubjectToken(id))" }
    /// `bookings.person.<personId>`
    public static func person(_ id: PersonID) throws(SubjectTokenError) -> String { "\(prefix).person.\(try SubjectToken(id))" }

    /// Filters for subscribers: every site, resource or person aggregate.
    public static let allSites = "\(prefix).site.*"
    public static let allResources = "\(prefix).resource.*"
    public static let allPersons = "\(prefix).person.*"

    public static func subject(of aggregate: AggregateRef) throws(SubjectTokenError) -> String {
        switch aggregate {
        case .site(let id): try site(id)
        case .resource(let id): try resource(id)
        case .person(let id): try person(id)
        }
    }

    /// The aggregate a stored subject belongs to, or `nil` for anything else.
    public static func aggregate(of subject: String) -> AggregateRef? {
        let parts = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == prefix, SubjectToken.problem(with: String(parts[2])) == nil else { return nil }
        let id = String(parts[2])
        switch parts[1] {
        case "site": return .site(id)
        case "resource": return .resource(id)
        case "person": return .person(id)
        default: return nil
        }
    }

    /// A decision as one atomic multi-subject append: each aggregate's events on its subject,
    /// at the sequence `expecting` gives for it (the version its state was loaded at).
    public static func appends(for decision: [SubjectEvents],
                               expecting: (AggregateRef) -> ExpectedVersion) throws(SubjectTokenError) -> [EventStore.SubjectAppend] {
        var appends: [EventStore.SubjectAppend] = []
        for batch in decision where !batch.events.isEmpty {
            appends.append(EventStore.SubjectAppend(subject: try subject(of: batch.aggregate),
                                                    events: batch.events.map(\.payload), expecting: expecting(batch.aggregate)))
        }
        return appends
    }
}
