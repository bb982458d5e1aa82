/// A verified person lacks the role an action needs: the web layer answers 403 (whereas a
/// `TokenVerificationError` is a 401).
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var subject: String
    /// Any one of these would have been enough.
    public var requiredRoles: Set<Role>

    public static let httpStatus = 403

    public var description: String {
        let needed = requiredRoles.sorted().map(\.rawValue)
        let phrase = needed.count == 1 ? "the \(needed[0]) role" : "one of the roles \(needed.joined(separator: ", "))"
        return "\(subject) may not do this: it needs \(phrase)"
    }
}

extension Principal {
    /// Returns normally when the principal holds `role`, else throws AccessDenied (403).
    public func require(_ role: Role) throws(AccessDenied) {
        try require(anyOf: [role])
    }

    /// Returns normally when the principal holds at least one of `roles`, else throws
    /// AccessDenied (403).
    public func require(anyOf roles: Set<Role>) throws(AccessDenied) {
        guard !self.roles.isDisjoint(with: roles) else {
            throw AccessDenied(subject: subject, requiredRoles: roles)
        }
    }
}
