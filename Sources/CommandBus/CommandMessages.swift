import Foundation
import NATSClient

/// A command as it travels over NATS: `cmd.<context>.<name>` with the body as JSON and the
/// metadata in headers, mirroring the event envelope.
public struct CommandRequest: Sendable {
    public var name: String
    /// Chosen by the client; a retried command with the same key gets the first result.
    public var idempotencyKey: String
    /// Who sends it, as the access layer established it (a person id or a service name),
    /// with their roles and group memberships. Only trusted roles may publish commands
    /// (NATS permissions), so these are believed.
    public var actor: String?
    public var actorRoles: [String]
    public var actorGroups: [String]
    public var correlationId: String?
    public var body: [UInt8]

    public init(name: String, idempotencyKey: String, actor: String? = nil, actorRoles: [String] = [], actorGroups: [String] = [],
                correlationId: String? = nil, body: [UInt8]) {
        self.name = name
        self.idempotencyKey = idempotencyKey
        self.actor = actor
        self.actorRoles = actorRoles
        self.actorGroups = actorGroups
        self.correlationId = correlationId
        self.body = body
    }

    public enum Header {
        public static let idempotencyKey = "Almanac-Idempotency-Key"
        public static let actor = "Almanac-Actor"
        public static let actorRoles = "Almanac-Actor-Roles"
        public static let actorGroups = "Almanac-Actor-Groups"
        public static let correlationId = "Almanac-Correlation-Id"
    }

    var headers: NATSHeaders {
        var headers = NATSHeaders()
        headers[Header.idempotencyKey] = idempotencyKey
        if let actor { headers[Header.actor] = actor }
        if !actorRoles.isEmpty { headers[Header.actorRoles] = actorRoles.joined(separator: ",") }
        if !actorGroups.isEmpty { headers[Header.actorGroups] = actorGroups.joined(separator: ",") }
        if let correlationId { headers[Header.correlationId] = correlationId }
        return headers
    }

    init(message: NATSMessage, prefix: String) throws(CommandBusError) {
        guard message.subject.hasPrefix(prefix + "."), let name = message.subject.split(separator: ".").last else {
            throw .badRequest("unexpected subject \(message.subject)")
        }
        guard let key = message.headers[Header.idempotencyKey], !key.isEmpty, key.utf8.count <= 128 else {
            throw .badRequest("missing or overlong \(Header.idempotencyKey) header")
        }
        func list(_ header: String) -> [String] {
            (message.headers[header] ?? "").split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
        }
        self.init(name: String(name), idempotencyKey: key, actor: message.headers[Header.actor], actorRoles: list(Header.actorRoles),
                  actorGroups: list(Header.actorGroups), correlationId: message.headers[Header.correlationId], body: message.payload)
    }
}

/// The answer to a command: accepted with where its events landed, rejected by the domain
/// with a reason a person understands, or failed for a technical reason.
public enum CommandReply: Sendable, Equatable, Codable {
    case accepted(sequences: [UInt64], duplicate: Bool)
    /// `code` is stable for programs (`slot_taken`), `message` is for people, `field` names
    /// the input at fault when there is one.
    case rejected(code: String, message: String, field: String?)
    case failed(message: String)

    private enum CodingKeys: String, CodingKey { case outcome, sequences, duplicate, code, message, field }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .outcome) {
        case "accepted":
            self = .accepted(sequences: try container.decode([UInt64].self, forKey: .sequences),
                             duplicate: try container.decodeIfPresent(Bool.self, forKey: .duplicate) ?? false)
        case "rejected":
            self = .rejected(code: try container.decode(String.self, forKey: .code), message: try container.decode(String.self, forKey: .message),
                             field: try container.decodeIfPresent(String.self, forKey: .field))
        default:
            self = .failed(message: try container.decodeIfPresent(String.self, forKey: .message) ?? "unknown failure")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .accepted(let sequences, let duplicate):
            try container.encode("accepted", forKey: .outcome)
            try container.encode(sequences, forKey: .sequences)
            try container.encode(duplicate, forKey: .duplicate)
        case .rejected(let code, let message, let field):
            try container.encode("rejected", forKey: .outcome)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encodeIfPresent(field, forKey: .field)
        case .failed(let message):
            try container.encode("failed", forKey: .outcome)
            try container.encode(message, forKey: .message)
        }
    }

    /// The stream sequence a read model must reach before the caller reads its own write.
    public var lastSequence: UInt64? {
        if case .accepted(let sequences, _) = self { sequences.last } else { nil }
    }
}

public enum CommandBusError: Error, Sendable, Equatable, CustomStringConvertible {
    case badRequest(String)
    case noHandler(String)
    case timeout(String)

    public var description: String {
        switch self {
        case .badRequest(let why): "bad command request: \(why)"
        case .noHandler(let subject): "no command handler is running for \(subject)"
        case .timeout(let subject): "no answer from the command handler for \(subject) in time"
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return self[first...last]
    }
}
