import Foundation
import TestSupport
import HTTPClient
import Testing

@Suite struct TLSTests {
    @Test func selfSignedCertificateIsRefusedByDefaultAndAcceptedAsCABundle() async throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        try await withHTTPServer(tls: certificate) { _, port in
            let url = localURL(port, "/echo", scheme: "https")

            let refused = await #expect(throws: HTTPClientError.self) {
                try await HTTPClient().execute(HTTPRequest(url: url))
            }
            #expect(refused?.kind == .tls)
            #expect(refused?.curlCode == 60)

            let trusting = try HTTPClient(configuration: HTTPClientConfiguration(caBundlePath: certificate.certificatePath))
            let response = try await trusting.execute(HTTPRequest(method: .post, url: url, body: Data("over tls".utf8)))
            #expect(response.status == 200)
            #expect(try Echo(response).bodyData == Data("over tls".utf8))
        }
    }

    @Test func trustedCertificateForAnotherHostIsRefused() async throws {
        let certificate = try TestCertificate.make(subjectAltName: "DNS:other.example")
        defer { certificate.remove() }
        try await withHTTPServer(tls: certificate) { _, port in
            let client = try HTTPClient(configuration: HTTPClientConfiguration(caBundlePath: certificate.certificatePath))
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/echo", scheme: "https")))
            }
            #expect(error?.kind == .tls)
            #expect(error?.curlCode == 60)
        }
    }
}
