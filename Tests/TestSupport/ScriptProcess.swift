import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct ScriptProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// A Python script (test fixture) run as a child process for one test. Its stdout is read line by line on a
/// thread of its own; `line(where:)` waits for a line without polling. The script exits when
/// its stdin closes, so it dies with the test process even if `stop()` is never reached.
public final class ScriptProcess: Sendable {
    private struct Output {
        var lines: [String] = []
        var ended = false
        var waiters: [UUID: (predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<String, any Error>)] = [:]
    }

    public let name: String
    private let process: Process
    private let stdin: Pipe
    /// The script file when `start(script:)` wrote it, removed by `stop()`.
    private let temporaryScript: URL?
    private let output: Mutex<Output>
    private let exit: ExitSignal

    /// Starts `python3 <script> <arguments>`, the script given as text.
    public static func start(name: String, script: String, arguments: [String] = []) async throws -> ScriptProcess {
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-\(name)-\(UUID().uuidString).py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        return try launch(name: name, scriptURL: scriptURL, arguments: arguments, temporary: true)
    }

    /// Starts `python3 <scriptFile> <arguments>`, a fixture file kept with the tests.
    public static func start(name: String, scriptFile: URL, arguments: [String] = []) async throws -> ScriptProcess {
        try launch(name: name, scriptURL: scriptFile, arguments: arguments, temporary: false)
    }

    private static func launch(name: String, scriptURL: URL, arguments: [String], temporary: Bool) throws -> ScriptProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        let exit = ExitSignal()
        process.terminationHandler = { _ in exit.fire() }
        try process.run()
        return ScriptProcess(name: name, process: process, stdin: stdin, stdout: stdout, exit: exit, temporaryScript: temporary ? scriptURL : nil)
    }

    private init(name: String, process: Process, stdin: Pipe, stdout: Pipe, exit: ExitSignal, temporaryScript: URL?) {
        self.name = name
        self.process = process
        self.stdin = stdin
        self.exit = exit
        self.temporaryScript = temporaryScript
        self.output = Mutex(Output())
        startReading(stdout.fileHandleForReading)
    }

    private func startReading(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    received(line)
                }
            }
            ended()
        }
        thread.name = "\(name)-stdout"
        thread.start()
    }

    private func received(_ line: String) {
        let matched = output.withLock { output in
            output.lines.append(line)
            let matching = output.waiters.filter { $0.value.predicate(line) }
            for id in matching.keys { output.waiters[id] = nil }
            return matching.values.map(\.continuation)
        }
        for continuation in matched { continuation.resume(returning: line) }
    }

    private func ended() {
        let waiting = output.withLock { output in
            output.ended = true
            defer { output.waiters = [:] }
            return output.waiters.values.map(\.continuation)
        }
        for continuation in waiting {
            continuation.resume(throwing: ScriptProcessError(description: "\(name) exited before printing the expected line"))
        }
    }

    /// The first stdout line (already printed or still to come) that satisfies `predicate`;
    /// fails after `timeout` or when the script exits first.
    public func line(where predicate: @escaping @Sendable (String) -> Bool, timeout: Duration = .seconds(15)) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await self.waitForLine(predicate) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ScriptProcessError(description: "\(self.name): no matching line within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func waitForLine(_ predicate: @escaping @Sendable (String) -> Bool) async throws -> String {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
                enum Now { case found(String), ended, wait }
                let now: Now = output.withLock { output in
                    if let line = output.lines.first(where: predicate) { return .found(line) }
                    if output.ended { return .ended }
                    output.waiters[id] = (predicate, continuation)
                    return .wait
                }
                switch now {
                case .found(let line): continuation.resume(returning: line)
                case .ended: continuation.resume(throwing: ScriptProcessError(description: "\(name) exited before printing the expected line"))
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = output.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Every stdout line so far that satisfies `predicate`.
    public func lines(where predicate: (String) -> Bool) -> [String] {
        output.withLock { $0.lines.filter(predicate) }
    }

    /// Terminates the script and waits for it to exit (without blocking a thread).
    public func stop() async {
        if process.isRunning {
            process.terminate()
        }
        try? stdin.fileHandleForWriting.close()
        await exit.wait()
        if let temporaryScript { try? FileManager.default.removeItem(at: temporaryScript) }
    }
}

/// Fired once by the process's termination handler; waiters resume then, or at once after.
private final class ExitSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let fired = state.withLock { state in
                if !state.fired { state.waiters.append(continuation) }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}
