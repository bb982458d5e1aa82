import Foundation
import Logging

/// A local OpenID issuer for `almanac dev`: the web app serves its discovery document and JWKS
/// and mints tokens for the demo people, so local logins go through the very `TokenVerifier`
/// production uses. Pure apart from the key file: everything it produces is JSON or a token.
public struct DevIssuer: Sendable {
    /// The `iss` of every token, and the base of the discovery document's URLs.
    public let issuer: String
    /// The `aud` of every token.
    public let audience: String
    public let signingKey: DevSigningKey
    public let people: [DemoPerson]

    /// Where the web app serves the documents, relative to the issuer URL.
    public static let discoveryPath = "/.well-known/openid-configuration"
    public static let jwksPath = "/jwks.json"
    public static let loginPath = "/login"
    /// The key file's name in the folder given to `loadOrCreate`.
    public static let keyFileName = "dev-issuer-key.pem"

    public init(issuer: String, audience: String = "almanac", signingKey: DevSigningKey, people: [DemoPerson] = DemoPerson.all) {
        var issuer = issuer
        while issuer.hasSuffix("/") { issuer.removeLast() }
        self.issuer = issuer
        self.audience = audience
        self.signingKey = signingKey
        self.people = people
    }

    /// An issuer whose key lives in `keyFolder` (read when present, else made and saved with
    /// mode 0600), so tokens minted before a restart still verify after it; with no folder,
    /// a fresh key each time.
    public static func loadOrCreate(issuer: String, audience: String = "almanac", keyFolder: URL?) async throws(DevIssuerError) -> DevIssuer {
        guard let keyFolder else {
            return DevIssuer(issuer: issuer, audience: audience, signingKey: await DevSigningKey.generate())
        }
        let file = keyFolder.appendingPathComponent(keyFileName)
        if FileManager.default.fileExists(atPath: file.path) {
            let pem: String
            do {
                pem = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw DevIssuerError("cannot read the dev issuer key \(file.path): \(error.localizedDescription)")
            }
            do {
                return DevIssuer(issuer: issuer, audience: audience, signingKey: try await DevSigningKey.load(pem: pem))
            } catch {
                throw DevIssuerError("the dev issuer key \(file.path) is unusable (\(error.message)); delete it to have a new one made")
            }
        }
        let key = await DevSigningKey.generate()
        do {
            try FileManager.default.createDirectory(at: keyFolder, withIntermediateDirectories: true)
            // Created with 0600 before the key is written, so it is never readable by others.
            guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw DevIssuerError("cannot create \(file.path)")
            }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(key.pemRepresentation.utf8))
        } catch let error as DevIssuerError {
            throw error
        } catch {
            throw DevIssuerError("cannot save the dev issuer key to \(file.path): \(error.localizedDescription)")
        }
        return DevIssuer(issuer: issuer, audience: audience, signingKey: key)
    }

    /// The configuration a `TokenVerifier` needs to accept this issuer's tokens.
    public var verifierConfiguration: TokenVerifierConfiguration {
        TokenVerifierConfiguration(issuer: issuer, audience: audience)
    }
}
