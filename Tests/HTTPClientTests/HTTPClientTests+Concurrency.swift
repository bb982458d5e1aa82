import Foundation
import HTTPClient
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

    @Test func droppingTheClientEndsItsThread() async throws {
        try await withHTTPServer { _, port in
            for _ in 0..<3 {
                let client = try HTTPClient()
                #expect(try await client.execute(HTTPRequest(url: localURL(port, "/echo"))).status == 200)
            }
        }
    }
}
