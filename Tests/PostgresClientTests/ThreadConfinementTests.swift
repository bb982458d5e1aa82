import Foundation
import Testing
@testable import PostgresClient

@Suite("Thread confinement")
struct ThreadConfinementTests {
    /// Every libpq call goes through `withLibPQ`, whose body runs on the connection's own
    /// thread, never on a thread of Swift's cooperative pool nor the main thread.
    @Test func libpqWorkRunsOnTheConnectionsOwnThread() async throws {
        let configuration = try await makeTestDatabase()
        let first = try await PostgresConnection.connect(configuration)
        let second = try await PostgresConnection.connect(configuration)
        let names = try await [first, second, first].asyncMap { connection in
            try await connection.withLibPQ { _ in
                // The kernel's name for the calling thread.
                let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                return (name.trimmingCharacters(in: .whitespacesAndNewlines), Thread.isMainThread)
            }
        }
        #expect(names[0].0 == "pg-conn-\(first.id)")
        #expect(names[1].0 == "pg-conn-\(second.id)")
        #expect(names[2].0 == names[0].0)  // always the same thread for one connection
        #expect(names.allSatisfy { !$0.1 })
        await first.close()
        await second.close()
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
