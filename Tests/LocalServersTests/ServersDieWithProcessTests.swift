import Foundation
import LocalServers
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs this test binary again as a child that starts servers and then exits or is SIGKILLed,
/// and checks that the child's servers go away with it.
@Suite("Servers die with their process", .timeLimit(.minutes(3)))
struct ServersDieWithProcessTests {
    static let probeVariable = "ALMANAC_ORPHAN_PROBE"

    /// The child's side. Does nothing in a normal run; with ALMANAC_ORPHAN_PROBE set it starts
    /// servers in that folder, records their pids, and ends the process as ALMANAC_ORPHAN_MODE says.
    @Test func orphanProbeBody() async throws {
        let settings = ProcessInfo.processInfo.environment
        guard let folder = settings[Self.probeVariable] else { return }
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        let servers = try await LocalServers.start(.test(directory: directory.appendingPathComponent("servers")))
        let pids = [servers.nats.pid, servers.postgres.pid].compactMap { $0 }.map(String.init)
        try pids.joined(separator: "\n").write(to: directory.appendingPathComponent("pids"), atomically: true, encoding: .utf8)
        if settings["ALMANAC_ORPHAN_MODE"] == "kill" {
            kill(getpid(), SIGKILL)
        }
        exit(0)
    }

    @Test("servers stop when their process exits or is killed", arguments: ["exit", "kill"])
    func serversDieWithTheirProcess(mode: String) async throws {
        let environment = try await TestServers.shared()
        let folder = try environment.makeDirectory(prefix: "orphan-\(mode)")
        let testBinary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let child = try await ProcessRunner.run(
            testBinary, ["--testing-library", "swift-testing", "--filter", "orphanProbeBody"],
            environment: [Self.probeVariable: folder.path, "ALMANAC_ORPHAN_MODE": mode],
            timeout: .seconds(120)
        )
        #expect(child.status == (mode == "kill" ? .signalled(signal: SIGKILL) : .exited(code: 0)), "\(child.errorOutput)")

        let pids = try String(contentsOf: folder.appendingPathComponent("pids"), encoding: .utf8)
            .split(separator: "\n").compactMap { pid_t($0) }
        #expect(pids.count == 2)
        let allGone = try await poll(timeout: .seconds(30)) { pids.allSatisfy { !processExists($0) } }
        #expect(allGone, "still running: \(pids.filter(processExists))")
    }
}

/// Polls until `condition` holds or `timeout` passes.
func poll(timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(50))
    }
    return true
}
