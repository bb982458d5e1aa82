import TestSupport
import Foundation
@testable import HTTPClient
import Testing

@Suite struct ConcurrencyTests {
    @Test func fiftyConcurrentRequestsAllComplete() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let paths = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await client.execute(HTTPRequest(url: localURL(port, "/echo?i=\(index)")))
                        return (index, try Echo(response).path)
                    }
                }
                var paths: [Int: String] = [:]
                for try await (index, path) in group {
                    paths[index] = path
                }
                return paths
            }
            #expect(paths.count == 50)
            for index in 0..<50 {
                #expect(paths[index] == "/echo?i=\(index)")
            }
        }
    }

    @Test func cancellationStopsARunningRequest() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { server, port in
            let request = Task {
                try await client.execute(HTTPRequest(url: localURL(port, "/delay/30000"), timeout: .seconds(20)))
            }
            // The server has the request: the transfer is inside the multi handle.
            _ = try await server.line(where: { $0 == "REQUEST /delay/30000" })
            let cancelled = ContinuousClock.now
            request.cancel()
            let result = await request.result
            #expect(ContinuousClock.now - cancelled < .seconds(5))
            #expect(throws: CancellationError.self) { try result.get() }

            // The client keeps working.
            let after = try await client.execute(HTTPRequest(url: localURL(port, "/echo")))
            #expect(after.status == 200)
        }
    }

    @Test func alreadyCancelledTaskThrowsWithoutSending() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { server, port in
            let request = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.execute(HTTPRequest(url: localURL(port, "/delay/1")))
            }
            await #expect(throws: CancellationError.self) { try await request.value }
            _ = try await client.execute(HTTPRequest(url: localURL(port, "/echo")))
            #expect(server.lines(where: { $0.hasPrefix("REQUEST ") }).isEmpty)
        }
    }

    @Test func shutdownFailsRunningAndLaterRequests() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { server, port in
            #expect(try await client.execute(HTTPRequest(url: localURL(port, "/echo"))).status == 200)
            let running = Task {
                try await client.execute(HTTPRequest(url: localURL(port, "/delay/30000"), timeout: .seconds(20)))
            }
            _ = try await server.line(where: { $0 == "REQUEST /delay/30000" })
            await client.shutdown()
            let error = await #expect(throws: HTTPClientError.self) { try await running.value }
            #expect(error?.kind == .shutDown)

            let later = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/echo")))
            }
            #expect(later?.kind == .shutDown)
        }
    }

    @Test func droppingTheClientEndsItsThread() async throws {
        try await withHTTPServer { _, port in
            var loops: [CurlMultiLoop] = []
            for _ in 0..<3 {
                let client = try HTTPClient()
                #expect(try await client.execute(HTTPRequest(url: localURL(port, "/echo"))).status == 200)
                loops.append(client.loop)
            }
            // The clients are gone; each deinit must have stopped its loop: every curl thread
            // cleans up and ends (bounded wait, nobody else calls stop()).
            let stoppedLoops = loops
            let ended = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for loop in stoppedLoops { await loop.waitUntilExited() }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return false
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            #expect(ended)
        }
    }
}
