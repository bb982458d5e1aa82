import Foundation
import HTTPClient
import Testing
@testable import Access

/// A running issuer: the HTTP server publishing `devIssuer`'s documents, and a verifier
/// configured for it.
struct IssuerHarness {
    let server: IssuerServer
    let devIssuer: DevIssuer
    let verifier: TokenVerifier

    /// Publishes the JWKS of these keys (the first of them is the dev issuer's own or not).
    func publishKeys(_ keys: [DevSigningKey]) throws {
        try server.serve(DevIssuer.jwksJSON(publishing: keys), at: DevIssuer.jwksPath)
    }

    func expectedClaims(for subject: String = "demo-ada", now: Date = Date()) throws -> DevTokenClaims {
        try devIssuer.claims(for: devIssuer.person(subject), now: now)
    }
}

/// Starts an issuer server publishing a new dev issuer (or one with `key`), runs `body`, and
/// always stops the server and the HTTP client.
func withIssuer<T>(
    key: DevSigningKey? = nil,
    configure: (inout TokenVerifierConfiguration) -> Void = { _ in },
    _ body: (IssuerHarness) async throws -> T
) async throws -> T {
    let server = try await IssuerServer.start()
    let http: HTTPClient
    do {
        http = try HTTPClient()
    } catch {
        server.stop()
        throw error
    }
    do {
        let signingKey: DevSigningKey
        if let key { signingKey = key } else { signingKey = await DevSigningKey.generate() }
        let devIssuer = DevIssuer(issuer: server.url, signingKey: signingKey)
        try server.serve(devIssuer.discoveryDocumentJSON(), at: DevIssuer.discoveryPath)
        try server.serve(devIssuer.jwksJSON(), at: DevIssuer.jwksPath)
        var configuration = devIssuer.verifierConfiguration
        configure(&configuration)
        let verifier = TokenVerifier(configuration: configuration, http: http)
        let result = try await body(IssuerHarness(server: server, devIssuer: devIssuer, verifier: verifier))
        await http.shutdown()
        server.stop()
        return result
    } catch {
        await http.shutdown()
        server.stop()
        throw error
    }
}

/// The TokenVerificationError `body` throws, or nil (and a recorded issue) when it returns or
/// throws something else.
func rejection(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Principal
) async -> TokenVerificationError? {
    do {
        let principal = try await body()
        Issue.record("accepted as \(principal.subject), expected a rejection", sourceLocation: sourceLocation)
        return nil
    } catch let error as TokenVerificationError {
        return error
    } catch {
        Issue.record("expected a TokenVerificationError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

enum Forge {
    /// A compact JWS assembled by hand from any header, claims and signature bytes.
    static func token(header: [String: String], claims: DevTokenClaims, signature: Data) -> String {
        Base64URL.encode(DevIssuer.json(header)) + "." + Base64URL.encode(DevIssuer.json(claims)) + "." + Base64URL.encode(signature)
    }

    /// `token` with its signature swapped for one made by `key` (same header, same claims).
    static func resigned(_ token: String, with key: DevSigningKey) throws -> String {
        let parts = token.split(separator: ".")
        let signingInput = "\(parts[0]).\(parts[1])"
        return signingInput + "." + Base64URL.encode(try key.sign(signingInput))
    }

    /// A fresh RSA key as PKCS#8 PEM, made by `openssl genpkey`.
    static func rsaPrivateKeyPEM() throws -> String {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        let output = Pipe()
        openssl.standardOutput = output
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        let pem = output.fileHandleForReading.readDataToEndOfFile()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw IssuerServerError(description: "openssl genpkey failed (\(openssl.terminationStatus))")
        }
        return String(decoding: pem, as: UTF8.self)
    }
}
