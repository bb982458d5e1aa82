// TEMPORARY shim (lead's worktree only, not committed): replaced by LocalServers-based TestSupport.
import Foundation
public enum TestServers {
    public static func shared() async throws -> TestEnvironment {
        TestEnvironment(natsURL: ProcessInfo.processInfo.environment["ALMANAC_TEST_NATS_URL"] ?? "nats://127.0.0.1:14222")
    }
}
public struct TestEnvironment: Sendable {
    public let natsURL: String
}
