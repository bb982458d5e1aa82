import Foundation
import Testing
@testable import Access

@Suite struct TokenVerifierAcceptsTests {
    @Test func devIssuerTokenVerifiesIntoItsPrincipal() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-rita")
            let principal = try await issuer.verifier.verify(token)
            #expect(principal == Principal(
                subject: "demo-rita",
                name: "Rita Levi-Montalcini",
                email: "rita@almanac.example",
                roles: [.booker],
                groups: [DemoPerson.restrictionGroup]
            ))
            #expect(principal.isMember(of: DemoPerson.restrictionGroup))
        }
    }

    @Test func bearerAuthorizationHeaderVerifies() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-otto")
            let principal = try await issuer.verifier.verify(authorizationHeader: "Bearer \(token)")
            #expect(principal.subject == "demo-otto")
            #expect(principal.roles == [.operator])
        }
    }

    @Test func rs256TokenFromAnRSAKeyVerifies() async throws {
        let key = try await DevSigningKey.load(pem: Forge.rsaPrivateKeyPEM())
        #expect(key.algorithm == .rs256)
        try await withIssuer(key: key) { issuer in
            let principal = try await issuer.verifier.verify(issuer.devIssuer.mintToken(for: "demo-grace"))
            #expect(principal.roles == [.booker, .editor, .operator, .admin])
        }
    }

    @Test func expiryWithinTheLeewayIsAccepted() async throws {
        try await withIssuer(configure: { $0.leeway = .seconds(60) }) { issuer in
            var claims = try issuer.expectedClaims()
            let now = Int(Date().timeIntervalSince1970)
            claims.exp = now - 20
            claims.nbf = now + 20
            let principal = try await issuer.verifier.verify(issuer.devIssuer.sign(claims))
            #expect(principal.subject == "demo-ada")
        }
    }

    @Test func audienceArrayNeedsOnlyToContainOurs() async throws {
        try await withIssuer { issuer in
            let claims = try issuer.expectedClaims()
            struct ArrayAudienceClaims: Encodable {
                var iss: String, sub: String, aud: [String], exp: Int
            }
            let body = ArrayAudienceClaims(iss: claims.iss, sub: claims.sub, aud: ["someone-else", claims.aud], exp: claims.exp)
            let key = issuer.devIssuer.signingKey
            let signingInput = Base64URL.encode(DevIssuer.json(["alg": "ES256", "kid": key.kid])) + "." + Base64URL.encode(DevIssuer.json(body))
            let token = signingInput + "." + Base64URL.encode(try key.sign(signingInput))
            #expect(try await issuer.verifier.verify(token).subject == "demo-ada")
        }
    }
}

@Suite struct RoleMappingTests {
    @Test func givenEntraAppRolesInAnyCase_whenVerified_thenKnownRolesMapAndUnknownAreIgnored() async throws {
        try await withIssuer { issuer in
            var claims = try issuer.expectedClaims()
            claims.roles = ["Booker", "ADMIN", "Reports.Reader", "editor", ""]
            let principal = try await issuer.verifier.verify(issuer.devIssuer.sign(claims))
            #expect(principal.roles == [.booker, .admin, .editor])
        }
    }

    @Test func givenATokenWithoutRoles_whenVerified_thenThePrincipalHasNone() async throws {
        try await withIssuer { issuer in
            var claims = try issuer.expectedClaims()
            claims.roles = []
            let principal = try await issuer.verifier.verify(issuer.devIssuer.sign(claims))
            #expect(principal.roles.isEmpty)
            #expect(throws: AccessDenied.self) { try principal.require(.booker) }
        }
    }

    @Test func givenABooker_whenAnOperatorActionIsChecked_thenAccessIsDeniedWithA403Message() throws {
        let booker = Principal(subject: "demo-ada", roles: [.booker])
        let denied = #expect(throws: AccessDenied.self) { try booker.require(.operator) }
        #expect(denied?.description == "demo-ada may not do this: it needs the operator role")
        #expect(AccessDenied.httpStatus == 403)
        try booker.require(.booker)
        try booker.require(anyOf: [.admin, .booker])
    }

    @Test func givenAnEditor_whenAnyOfAdminOrOperatorIsRequired_thenTheMessageNamesBoth() {
        let editor = Principal(subject: "demo-edith", roles: [.editor])
        let denied = #expect(throws: AccessDenied.self) { try editor.require(anyOf: [.admin, .operator]) }
        #expect(denied?.description == "demo-edith may not do this: it needs one of the roles operator, admin")
    }

    @Test func givenClaimValues_whenMapped_thenOnlyAlmanacRolesAreKnown() {
        #expect(Role(claimValue: "Operator") == .operator)
        #expect(Role(claimValue: "admin") == .admin)
        #expect(Role(claimValue: "superuser") == nil)
    }
}
