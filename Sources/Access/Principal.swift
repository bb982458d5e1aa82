/// The person a verified token speaks for.
public struct Principal: Sendable, Hashable, Codable {
    /// The issuer's stable identifier for the person (`sub`).
    public var subject: String
    /// Display name (`name`), if the token carries one.
    public var name: String?
    /// Mail address (`email`, else `preferred_username` when it looks like one).
    public var email: String?
    /// Almanac roles granted in the `roles` claim; unknown role values are left out.
    public var roles: Set<Role>
    /// Group identifiers from the `groups` claim (restriction groups are matched on these).
    public var groups: [String]

    public init(subject: String, name: String? = nil, email: String? = nil, roles: Set<Role> = [], groups: [String] = []) {
        self.subject = subject
        self.name = name
        self.email = email
        self.roles = roles
        self.groups = groups
    }

    public func has(_ role: Role) -> Bool {
        roles.contains(role)
    }

    public func isMember(of group: String) -> Bool {
        groups.contains(group)
    }
}
