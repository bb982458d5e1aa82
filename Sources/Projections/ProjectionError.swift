import Foundation

/// What can go wrong in the projection engine, each with a message an operator can act on.
public enum ProjectionError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidDefinition(String)
    /// An event that the projection cannot apply; the projection stops until an operator acts.
    case poisonEvent(PoisonEvent)
    /// The database was built by another version of the projection's code.
    case versionMismatch(projection: String, database: Int, code: Int)
    /// Another instance holds the projection now (its lease or the fencing token in PostgreSQL).
    case notOwner(projection: String, owner: String?)
    case unknownProjection(String)
    case timedOut(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidDefinition(let message), .timedOut(let message), .invalidArgument(let message): message
        case .poisonEvent(let poison): poison.description
        case .versionMismatch(let projection, let database, let code):
            "projection \(projection): the database holds version \(database), this code is version \(code); rebuild it with `almanac replay \(projection)`"
        case .notOwner(let projection, let owner):
            "projection \(projection) is now written by \(owner ?? "another instance"); this instance stands by"
        case .unknownProjection(let name): "no projection named \(String(reflecting: name))"
        }
    }
}

/// The event a projection stopped at, and why.
public struct PoisonEvent: Sendable, Equatable, CustomStringConvertible {
    public let projection: String
    public let stream: String
    public let sequence: UInt64
    public let subject: String
    public let type: String
    public let reason: String

    public var description: String {
        "projection \(projection) stopped at poison event \(stream) #\(sequence) (type \(type), subject \(subject)): \(reason). "
            + "Fix the code and retry with `almanac projector retry \(projection)`, or skip the event with "
            + "`almanac projector skip \(projection) --seq \(sequence)`"
    }
}
