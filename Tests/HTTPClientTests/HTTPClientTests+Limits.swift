import Foundation
import HTTPClient
import LocalServers
import Testing

@Suite struct LimitTests {
    @Test func totalTimeoutFires() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let started = ContinuousClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/delay/10000"), timeout: .milliseconds(300)))
            }
            let elapsed = ContinuousClock.now - started
            #expect(error?.kind == .timedOut)
            #expect(error?.curlCode == 28)
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .seconds(5))
        }
    }

    @Test func clientDefaultTimeoutApplies() async throws {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(timeout: .milliseconds(300)))
        try await withHTTPServer { _, port in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/delay/10000")))
            }
            #expect(error?.kind == .timedOut)
        }
    }

    @Test func responseSizeLimitIsEnforced() async throws {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maxResponseSize: 1000))
        try await withHTTPServer { _, port in
            // Exactly at the limit: fine.
            let atLimit = try await client.execute(HTTPRequest(url: localURL(port, "/bytes/1000")))
            #expect(atLimit.body.count == 1000)

            // Announced by Content-Length: refused before the body is read.
            let announced = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/bytes/100000")))
            }
            #expect(announced?.kind == .responseTooLarge(limit: 1000))

            // No Content-Length: the write callback aborts once the limit is passed.
            let streamed = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/stream/100000")))
            }
            #expect(streamed?.kind == .responseTooLarge(limit: 1000))
            #expect(streamed?.curlCode == 23)
            #expect(streamed?.description.hasPrefix("response larger than 1000 bytes from http://127.0.0.1:\(port)/stream/100000") == true)

            // A per-request limit overrides the client's.
            let bigger = try await client.execute(HTTPRequest(url: localURL(port, "/stream/5000"), maxResponseSize: 10_000))
            #expect(bigger.body.count == 5000)
        }
    }

    @Test func unreachablePortIsCurlCode7WithOneLineMessage() async throws {
        let client = try HTTPClient()
        let port = try LoopbackPort.free()
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: localURL(port, "/x?token=secret")))
        }
        #expect(error?.kind == .cannotConnect)
        #expect(error?.curlCode == 7)
        let description = error?.description ?? ""
        #expect(description.hasPrefix("cannot reach http://127.0.0.1:\(port)/x?…: Couldn't connect to server (CURLcode 7)"))
        #expect(!description.contains("\n"))
        #expect(!description.contains("secret"))
        #expect(error?.detail?.isEmpty == false)
    }

    @Test func onlyHTTPSchemesAndWellFormedHeadersAreAccepted() async throws {
        let client = try HTTPClient()
        let file = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: URL(fileURLWithPath: "/etc/hostname")))
        }
        #expect(file?.kind == .invalidRequest)
        #expect(file?.curlCode == 1)

        let injected = await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: localURL(1, "/"), headers: ["X-A": "1\r\nX-Injected: 2"]))
        }
        #expect(injected?.kind == .invalidRequest)
        #expect(injected?.curlCode == nil)
    }
}
