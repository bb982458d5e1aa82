/// What a person may do in Almanac. Granted by the issuer as app roles in the token's `roles`
/// claim (Entra ID app roles); each role is granted on its own, none implies another.
public enum Role: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    /// Books for themselves on the booking page; sees only their own bookings.
    case booker
    /// Designs and publishes flows in the studio.
    case editor
    /// Runs the operator tools: replay, streams, lag.
    case `operator`
    /// Manages resources, policies and restriction groups.
    case admin

    /// The role a `roles` claim value names, or nil for a role Almanac does not know (other
    /// applications' roles share the claim and are ignored). Matched without regard to case,
    /// since Entra app role values are often written `Booker` or `Admin`.
    public init?(claimValue: String) {
        self.init(rawValue: claimValue.lowercased())
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
