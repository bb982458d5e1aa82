import Access
import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DevIssuerRouteTests {
    @Test func givenADevIssuer_whenFetchingDiscoveryJWKSAndLogin_thenTheyAreServed_andAMintedTokenBooks() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        try await app.test(.router) { client in
            let discovery = try await client.call(.get, "/.well-known/openid-configuration")
            #expect(discovery.status == 200)
            #expect(discovery.json["issuer"] as? String == harness.issuer.issuer)
            let jwks = try await client.call(.get, "/jwks.json")
            #expect((jwks.json["keys"] as? [Any])?.count == 1)
            let login = try await client.call(.get, "/login")
            #expect(login.status == 200)
            #expect(login.text.contains("Grace Hopper"))
            #expect(!login.text.contains("http://") && !login.text.contains("https://"), "no external assets")

            let minted = try await client.call(.post, "/login/token", body: #"{"subject":"demo-grace","roles":["booker"]}"#)
            #expect(minted.status == 200, "\(minted.text)")
            let token = try #require(minted.json["token"] as? String)
            let principal = try await harness.verifier.verify(token)
            #expect(principal.roles == [.booker])

            let admin = try await client.call(.post, "/api/admin/sites/zurich/groups", token: token, idempotencyKey: "narrowed",
                                              body: #"{"groupId":"g1","name":"G"}"#)
            #expect(admin.status == 403)

            let nobody = try await client.call(.post, "/login/token", body: #"{"subject":"mallory"}"#)
            #expect(nobody.status == 422)
            #expect(nobody.field == "subject")
        }
    }

    @Test func givenNoDevIssuer_whenFetchingTheLoginPage_then404Problem() async throws {
        let harness = try await BookingWebHarness.shared.value
        var configuration = harness.configuration()
        configuration.devIssuer = nil
        let app = try await buildApplication(configuration)
        try await app.test(.router) { client in
            let login = try await client.call(.get, "/login")
            #expect(login.status == 404)
            #expect(login.code == "not_found")
        }
    }
}
