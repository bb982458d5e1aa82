import Foundation
import Testing
@testable import Access

@Suite struct DevIssuerTests {
    @Test func discoveryDocumentPointsAtTheJWKS() async throws {
        let issuer = DevIssuer(issuer: "http://127.0.0.1:8080/", signingKey: await DevSigningKey.generate())
        let document = try JSONSerialization.jsonObject(with: issuer.discoveryDocumentJSON()) as? [String: Any]
        #expect(document?["issuer"] as? String == "http://127.0.0.1:8080")
        #expect(document?["jwks_uri"] as? String == "http://127.0.0.1:8080/jwks.json")
        #expect(document?["id_token_signing_alg_values_supported"] as? [String] == ["ES256"])
    }

    @Test func jwksPublishesThePublicKeyOnly() async throws {
        let issuer = DevIssuer(issuer: "http://localhost", signingKey: await DevSigningKey.generate())
        let jwks = try JSONSerialization.jsonObject(with: issuer.jwksJSON()) as? [String: [[String: String]]]
        let key = try #require(jwks?["keys"]?.first)
        #expect(key["kid"] == issuer.signingKey.kid)
        #expect(key["kty"] == "EC")
        #expect(key["crv"] == "P-256")
        #expect(key["d"] == nil)
    }

    @Test func demoPeopleCoverEveryRoleAndARestrictionGroup() {
        let people = DemoPerson.all
        #expect(people.filter { $0.roles == [.booker] }.count >= 2)
        for role in Role.allCases {
            #expect(people.contains { $0.roles.contains(role) }, "nobody holds \(role)")
        }
        #expect(people.contains { $0.groups.contains(DemoPerson.restrictionGroup) })
        #expect(Set(people.map(\.subject)).count == people.count)
    }

    @Test func givenAPerson_whenMintingWithASubsetOfRoles_thenTheTokenCarriesOnlyThose() async throws {
        let issuer = DevIssuer(issuer: "http://localhost", signingKey: await DevSigningKey.generate())
        let claims = try issuer.claims(for: issuer.person("demo-grace"), roles: [.booker], lifetime: .seconds(600), now: Date(timeIntervalSince1970: 1_000))
        #expect(claims.roles == ["booker"])
        #expect(claims.iat == 1_000)
        #expect(claims.exp == 1_600)
        #expect(claims.aud == "almanac")
    }

    @Test func givenABooker_whenAskingForTheAdminRole_thenMintingFails() async throws {
        let issuer = DevIssuer(issuer: "http://localhost", signingKey: await DevSigningKey.generate())
        let error = #expect(throws: DevIssuerError.self) { try issuer.mintToken(for: "demo-ada", roles: [.admin]) }
        #expect(error?.message == "Ada Lovelace does not hold the role admin; they hold booker")
        #expect(throws: DevIssuerError.self) { try issuer.mintToken(for: "nobody") }
    }

    @Test func keyIsSavedAndReloadedSoTokensSurviveRestarts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("access-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await DevIssuer.loadOrCreate(issuer: "http://localhost:1", keyFolder: folder)
        let file = folder.appendingPathComponent(DevIssuer.keyFileName)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)

        let second = try await DevIssuer.loadOrCreate(issuer: "http://localhost:1", keyFolder: folder)
        #expect(second.signingKey.kid == first.signingKey.kid)
        #expect(second.jwksJSON() == first.jwksJSON())

        try Data("not a key".utf8).write(to: file)
        let error = await #expect(throws: DevIssuerError.self) { try await DevIssuer.loadOrCreate(issuer: "http://localhost:1", keyFolder: folder) }
        #expect(error?.message.contains("delete it to have a new one made") == true)
    }

}
