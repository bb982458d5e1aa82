import Foundation

/// The registered and Entra claims Almanac reads; anything else in the token is ignored.
struct TokenClaims: Decodable, Sendable {
    /// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
    struct Audience: Decodable, Sendable {
        var values: [String]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                values = [single]
            } else {
                values = try container.decode([String].self)
            }
        }
    }

    var iss: String?
    var sub: String?
    var aud: Audience?
    /// Seconds since 1970 (NumericDate: fractions allowed).
    var exp: Double?
    var nbf: Double?
    var name: String?
    var email: String?
    var preferred_username: String?
    var roles: [String]?
    var groups: [String]?

    static func decode(_ payload: Data) throws(TokenVerificationError) -> TokenClaims {
        do {
            return try JSONDecoder().decode(TokenClaims.self, from: payload)
        } catch let DecodingError.typeMismatch(_, context) {
            throw TokenVerificationError(.malformed, "the token's claim \(context.codingPath.first?.stringValue ?? "set") has the wrong type")
        } catch {
            throw TokenVerificationError(.malformed, "the token's claims are not a JSON object")
        }
    }

    var principal: Principal {
        Principal(
            subject: sub ?? "",
            name: name,
            email: email ?? preferred_username.flatMap { $0.contains("@") ? $0 : nil },
            roles: Set((roles ?? []).compactMap(Role.init(claimValue:))),
            groups: groups ?? []
        )
    }
}

extension TokenVerifier {
    /// The claim checks, made only after the signature verified.
    func check(_ claims: TokenClaims, now: Date) throws(TokenVerificationError) {
        guard let issuer = claims.iss else {
            throw TokenVerificationError(.wrongIssuer, "the token has no iss; expected \(configuration.issuer.debugDescription)")
        }
        guard issuer == configuration.issuer else {
            throw TokenVerificationError(.wrongIssuer, "the token was issued by \(issuer.debugDescription), not \(configuration.issuer.debugDescription)")
        }
        let audiences = claims.aud?.values ?? []
        guard audiences.contains(where: configuration.audiences.contains) else {
            let expected = configuration.audiences.sorted().map(\.debugDescription).joined(separator: " or ")
            let got = audiences.isEmpty ? "no audience" : "audience \(audiences.map(\.debugDescription).joined(separator: ", "))"
            throw TokenVerificationError(.wrongAudience, "the token is for \(got), not \(expected)")
        }
        let leeway = configuration.leeway.secondsAsDouble
        let nowSeconds = now.timeIntervalSince1970
        guard let exp = claims.exp else {
            throw TokenVerificationError(.malformed, "the token has no exp (expiry) claim")
        }
        guard nowSeconds <= exp + leeway else {
            throw TokenVerificationError(.expired, "the token expired at \(Self.timestamp(exp)) (now \(Self.timestamp(nowSeconds)), leeway \(configuration.leeway))")
        }
        if let nbf = claims.nbf, nowSeconds < nbf - leeway {
            throw TokenVerificationError(.notYetValid, "the token is not valid before \(Self.timestamp(nbf)) (now \(Self.timestamp(nowSeconds)), leeway \(configuration.leeway))")
        }
        guard let subject = claims.sub, !subject.isEmpty else {
            throw TokenVerificationError(.malformed, "the token has no sub (subject) claim")
        }
    }

    private static func timestamp(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}

extension Duration {
    var secondsAsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
