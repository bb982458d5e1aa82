/// Someone to log in as on the dev issuer's demo login page.
public struct DemoPerson: Sendable, Hashable, Codable, Identifiable {
    /// The token's `sub`; stable, so bookings made as this person survive restarts.
    public var subject: String
    public var name: String
    public var email: String
    public var roles: Set<Role>
    public var groups: [String]
    /// One line for the login page: who this is for.
    public var summary: String

    public var id: String { subject }

    public init(subject: String, name: String, email: String, roles: Set<Role>, groups: [String] = [], summary: String) {
        self.subject = subject
        self.name = name
        self.email = email
        self.roles = roles
        self.groups = groups
        self.summary = summary
    }
}

extension DemoPerson {
    /// The restriction group the demo data uses for resources only some people may book.
    public static let restrictionGroup = "lab-access"

    /// The people `almanac dev` offers, one for each thing worth trying.
    public static let all: [DemoPerson] = [
        DemoPerson(subject: "demo-ada", name: "Ada Lovelace", email: "ada@almanac.example", roles: [.booker],
                   summary: "books desks and rooms for herself"),
        DemoPerson(subject: "demo-ben", name: "Ben Okafor", email: "ben@almanac.example", roles: [.booker],
                   summary: "another booker, to see that bookers only see their own bookings"),
        DemoPerson(subject: "demo-rita", name: "Rita Levi-Montalcini", email: "rita@almanac.example", roles: [.booker],
                   groups: [restrictionGroup], summary: "a booker in the \(restrictionGroup) restriction group"),
        DemoPerson(subject: "demo-edith", name: "Edith Clarke", email: "edith@almanac.example", roles: [.booker, .editor],
                   summary: "designs flows in the studio"),
        DemoPerson(subject: "demo-otto", name: "Otto Neurath", email: "otto@almanac.example", roles: [.operator],
                   summary: "replays streams and watches lag"),
        DemoPerson(subject: "demo-grace", name: "Grace Hopper", email: "grace@almanac.example", roles: [.booker, .editor, .operator, .admin],
                   summary: "administrator: resources, policies, restriction groups"),
    ]

    public static func named(_ subject: String) -> DemoPerson? {
        all.first { $0.subject == subject }
    }
}
