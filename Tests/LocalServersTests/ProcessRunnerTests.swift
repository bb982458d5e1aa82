import Foundation
import LocalServers
import Testing
import TestSupport

@Suite("ProcessRunner", .timeLimit(.minutes(1)))
struct ProcessRunnerTests {
    @Test("captures standard output, standard error and the exit code")
    func capturesOutput() async throws {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.output == "out\n")
        #expect(result.errorOutput == "err\n")
        #expect(result.status == .exited(code: 3))
        #expect(throws: ProcessFailure.self) { try result.checked() }
    }

    @Test("feeds standard input and sets the environment")
    func inputAndEnvironment() async throws {
        let result = try await ProcessRunner.run(
            "/bin/sh", ["-c", "cat; printf %s \"$GREETING\""],
            environment: ["GREETING": "hello"], input: Data("piped\n".utf8)
        )
        #expect(result.output == "piped\nhello")
    }

    @Test("captures more output than a pipe buffer holds")
    func largeOutput() async throws {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "head -c 1000000 /dev/zero"]).checked()
        #expect(result.standardOutput.count == 1_000_000)
    }

    @Test("kills a process that outlives its timeout, children included")
    func timeout() async throws {
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "sleep 30 & sleep 30"], timeout: .milliseconds(300))
        #expect(result.timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
