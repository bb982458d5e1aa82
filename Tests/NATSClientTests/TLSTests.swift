import Foundation
import NATSClient
import Testing
import TestSupport

@Suite("TLS")
struct TLSTests {
    @Test("TLS is verified: a server with a self-signed certificate is refused, and trusted once its CA is given")
    func certificateVerification() async throws {
        let env = try await TestServers.shared()
        let folder = try env.makeDirectory(prefix: "tls")
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let openssl = try await ProcessRunner.run("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ])
        try #require(openssl.succeeded, "\(openssl.errorOutput)")
        var configuration = LocalNATSServer.Configuration(directory: folder.appendingPathComponent("nats"))
        configuration.additionalConfiguration = """
            tls {
              cert_file: "\(cert)"
              key_file: "\(key)"
            }
            """
        let server = try await LocalNATSServer.start(configuration)
        defer { Task { await server.stop() } }

        // Trusting only the system store: the self-signed certificate must not pass.
        var untrusted = NATSConnectOptions(urls: [server.url], name: "tls-untrusted", maxReconnectAttempts: 0)
        untrusted.tls = .init()
        await #expect(throws: NATSError.self) { try await NATSConnection.connect(untrusted) }

        // Plain text to a server that requires TLS is refused too.
        await #expect(throws: NATSError.self) {
            try await NATSConnection.connect(NATSConnectOptions(urls: [server.url], name: "plain", maxReconnectAttempts: 0))
        }

        var trusted = NATSConnectOptions(urls: [server.url], name: "tls-trusted")
        trusted.tls = .init(caFile: cert)
        let nats = try await NATSConnection.connect(trusted)
        defer { nats.close() }
        let info = try await nats.request("$JS.API.INFO")
        #expect(String(decoding: info.payload, as: UTF8.self).contains("account_info_response"))
    }
}
