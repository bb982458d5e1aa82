import Foundation

/// The claims of a token the dev issuer mints. Every field is settable, so tests can also make
/// the tokens a verifier must refuse (expired, wrong audience, ...).
public struct DevTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: String
    /// Seconds since 1970.
    public var iat: Int
    public var nbf: Int?
    public var exp: Int
    public var name: String?
    public var email: String?
    public var roles: [String]
    public var groups: [String]

    public init(iss: String, sub: String, aud: String, iat: Int, nbf: Int? = nil, exp: Int, name: String? = nil, email: String? = nil, roles: [String] = [], groups: [String] = []) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
        self.name = name
        self.email = email
        self.roles = roles
        self.groups = groups
    }
}

extension DevIssuer {
    /// The demo person with this subject, or a DevIssuerError naming those there are.
    public func person(_ subject: String) throws(DevIssuerError) -> DemoPerson {
        guard let person = people.first(where: { $0.subject == subject }) else {
            throw DevIssuerError("no demo person \(subject.debugDescription); there are \(people.map(\.subject).joined(separator: ", "))")
        }
        return person
    }

    /// The claims of a token for `person`, valid from `now` for `lifetime`. `roles` narrows the
    /// token to some of the person's roles (to try the app with fewer rights); asking for a
    /// role the person does not hold is an error.
    public func claims(for person: DemoPerson, roles: Set<Role>? = nil, lifetime: Duration = .seconds(8 * 3600), now: Date = Date()) throws(DevIssuerError) -> DevTokenClaims {
        let granted = roles ?? person.roles
        let extra = granted.subtracting(person.roles)
        guard extra.isEmpty else {
            throw DevIssuerError("\(person.name) does not hold the role \(extra.sorted().map(\.rawValue).joined(separator: ", ")); they hold \(person.roles.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        guard lifetime > .zero else {
            throw DevIssuerError("a token's lifetime must be positive, not \(lifetime)")
        }
        let issuedAt = Int(now.timeIntervalSince1970)
        return DevTokenClaims(
            iss: issuer,
            sub: person.subject,
            aud: audience,
            iat: issuedAt,
            nbf: issuedAt,
            exp: issuedAt + Int(lifetime.components.seconds),
            name: person.name,
            email: person.email,
            roles: granted.sorted().map(\.rawValue),
            groups: person.groups
        )
    }

    /// A signed token for the demo person with this subject.
    public func mintToken(for subject: String, roles: Set<Role>? = nil, lifetime: Duration = .seconds(8 * 3600), now: Date = Date()) throws(DevIssuerError) -> String {
        try sign(claims(for: person(subject), roles: roles, lifetime: lifetime, now: now))
    }

    /// Signs any claims with this issuer's key (header: alg, kid, typ JWT).
    public func sign(_ claims: DevTokenClaims) throws(DevIssuerError) -> String {
        let header = ["alg": signingKey.algorithm.rawValue, "kid": signingKey.kid, "typ": "JWT"]
        let signingInput = Base64URL.encode(Self.json(header)) + "." + Base64URL.encode(Self.json(claims))
        return signingInput + "." + Base64URL.encode(try signingKey.sign(signingInput))
    }
}
