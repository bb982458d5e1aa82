import Foundation
import JWTKit
import Testing
@testable import Access

@Suite struct TokenVerifierRejectsTests {
    @Test func signatureByAnotherKeyUnderTheIssuersKidIsBadSignature() async throws {
        try await withIssuer { issuer in
            let forger = await DevSigningKey.generate()
            let forged = try Forge.resigned(issuer.devIssuer.mintToken(for: "demo-ada"), with: forger)
            let error = await rejection { try await issuer.verifier.verify(forged) }
            #expect(error?.kind == .badSignature)
            #expect(error?.message.contains("does not verify") == true)
        }
    }

    @Test func claimsChangedAfterSigningAreBadSignature() async throws {
        try await withIssuer { issuer in
            let token = try issuer.devIssuer.mintToken(for: "demo-ada")
            var claims = try issuer.expectedClaims()
            claims.roles = ["admin"]
            let parts = token.split(separator: ".")
            let tampered = "\(parts[0]).\(Base64URL.encode(DevIssuer.json(claims))).\(parts[2])"
            #expect(await rejection { try await issuer.verifier.verify(tampered) }?.kind == .badSignature)
        }
    }

    @Test func expiredTokenIsExpired() async throws {
        try await withIssuer(configure: { $0.leeway = .seconds(30) }) { issuer in
            var claims = try issuer.expectedClaims(now: Date().addingTimeInterval(-7200))
            claims.exp = Int(Date().timeIntervalSince1970) - 600
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.sign(claims)) }
            #expect(error?.kind == .expired)
            #expect(error?.message.hasPrefix("the token expired at ") == true)
        }
    }

    @Test func notBeforeInTheFutureIsNotYetValid() async throws {
        try await withIssuer { issuer in
            var claims = try issuer.expectedClaims()
            claims.nbf = Int(Date().timeIntervalSince1970) + 600
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.sign(claims)) }
            #expect(error?.kind == .notYetValid)
        }
    }

    @Test func wrongIssuerIsWrongIssuer() async throws {
        try await withIssuer { issuer in
            var claims = try issuer.expectedClaims()
            claims.iss = "https://login.example.com/other-tenant/v2.0"
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.sign(claims)) }
            #expect(error?.kind == .wrongIssuer)
            #expect(error?.message == "the token was issued by \"https://login.example.com/other-tenant/v2.0\", not \"\(issuer.server.url)\"")
        }
    }

    @Test func wrongAudienceIsWrongAudience() async throws {
        try await withIssuer { issuer in
            var claims = try issuer.expectedClaims()
            claims.aud = "another-app"
            let error = await rejection { try await issuer.verifier.verify(issuer.devIssuer.sign(claims)) }
            #expect(error?.kind == .wrongAudience)
            #expect(error?.message == "the token is for audience \"another-app\", not \"almanac\"")
            #expect(error?.wwwAuthenticate() == #"Bearer realm="almanac", error="invalid_token", error_description="the token is for audience 'another-app', not 'almanac'""#)
        }
    }

    @Test func algNoneIsRefused() async throws {
        try await withIssuer { issuer in
            let claims = try issuer.expectedClaims()
            let unsigned = Forge.token(header: ["alg": "none", "kid": issuer.devIssuer.signingKey.kid], claims: claims, signature: Data())
            #expect(unsigned.hasSuffix("."))
            let error = await rejection { try await issuer.verifier.verify(unsigned) }
            #expect(error?.kind == .badSignature)
            #expect(error?.message == "tokens signed with \"none\" are not accepted; only ES256, RS256")
            #expect(await issuer.verifier.jwksFetchCount == 0)
        }
    }

    @Test func hs256SignedWithThePublicKeyIsRefused() async throws {
        let rsaPEM = try Forge.rsaPrivateKeyPEM()
        try await withIssuer(key: try await DevSigningKey.load(pem: rsaPEM)) { issuer in
            // The classic confusion: HMAC keyed with the public key a naive verifier would use.
            let publicPEM = try Insecure.RSA.PrivateKey(pem: rsaPEM).publicKey.pemRepresentation
            let hmacKeys = JWTKeyCollection()
            await hmacKeys.add(hmac: HMACKey(from: Data(publicPEM.utf8)), digestAlgorithm: .sha256, kid: "hmac")
            let hmac = try await hmacKeys.getKey(for: "hmac")
            let header = ["alg": "HS256", "kid": issuer.devIssuer.signingKey.kid, "typ": "JWT"]
            let signingInput = Base64URL.encode(DevIssuer.json(header)) + "." + Base64URL.encode(DevIssuer.json(try issuer.expectedClaims()))
            let forged = signingInput + "." + Base64URL.encode(try hmac.sign(Array(signingInput.utf8)))
            let error = await rejection { try await issuer.verifier.verify(forged) }
            #expect(error?.kind == .badSignature)
            #expect(error?.message.contains("\"HS256\" are not accepted") == true)
        }
    }

    @Test func algorithmOtherThanTheKeysIsBadSignature() async throws {
        try await withIssuer { issuer in
            // An ES256 key, a token claiming RS256 under its kid.
            let header = ["alg": "RS256", "kid": issuer.devIssuer.signingKey.kid]
            let token = Forge.token(header: header, claims: try issuer.expectedClaims(), signature: Data(repeating: 1, count: 256))
            let error = await rejection { try await issuer.verifier.verify(token) }
            #expect(error?.kind == .badSignature)
            #expect(error?.message.contains("is for ES256") == true)
        }
    }

    @Test func garbageIsMalformedOrMissing() async throws {
        try await withIssuer { issuer in
            let cases: [(String?, TokenVerificationError.Kind)] = [
                (nil, .missingToken),
                ("", .missingToken),
                ("not-a-token", .malformed),
                ("a.b", .malformed),
                ("a.b.c.d", .malformed),
                ("!!!.@@@.###", .malformed),
                ("\(Base64URL.encode(Data("not json".utf8))).e30.AAAA", .malformed),
                ("\(Base64URL.encode(Data("[1,2]".utf8))).e30.AAAA", .malformed),
                (String(repeating: "A", count: 20_000) + ".e30.AAAA", .malformed),
            ]
            for (token, expected) in cases {
                let error = await rejection { try await issuer.verifier.verify(token) }
                #expect(error?.kind == expected, "token \(String((token ?? "nil").prefix(40)))")
                #expect(error?.message.isEmpty == false)
            }
            #expect(await rejection { try await issuer.verifier.verify(authorizationHeader: nil) }?.kind == .missingToken)
            #expect(await rejection { try await issuer.verifier.verify(authorizationHeader: "Basic YWRhOnB3") }?.kind == .missingToken)
            #expect(await rejection { try await issuer.verifier.verify(authorizationHeader: "Bearer garbage") }?.kind == .malformed)
        }
    }

    @Test func claimsOfTheWrongTypeAreMalformed() async throws {
        try await withIssuer { issuer in
            let key = issuer.devIssuer.signingKey
            let header = Base64URL.encode(DevIssuer.json(["alg": "ES256", "kid": key.kid]))
            let signingInput = header + "." + Base64URL.encode(Data(#"{"iss":"x","exp":"tomorrow"}"#.utf8))
            let token = signingInput + "." + Base64URL.encode(try key.sign(signingInput))
            let error = await rejection { try await issuer.verifier.verify(token) }
            #expect(error?.kind == .malformed)
            #expect(error?.message == "the token's claim exp has the wrong type")
        }
    }
}
