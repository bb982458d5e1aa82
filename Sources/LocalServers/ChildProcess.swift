import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A process we started: its pid, a way to signal it, and an async wait for its exit.
///
/// Each child has a waiter thread that blocks in `waitid` (never on the Swift cooperative pool).
/// The waiter observes the exit without reaping, marks the child as exited and only then reaps it,
/// both under the lock that `signal(_:)` takes, so we never signal a recycled pid.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The command line as started, for logs and error messages.
    public let commandLine: String

    private struct State {
        var exitStatus: ProcessExitStatus?
        var waiters: [UUID: CheckedContinuation<ProcessExitStatus, any Error>] = [:]
    }

    private let state = Mutex(State())

    init(pid: pid_t, commandLine: String) {
        self.pid = pid
        self.commandLine = commandLine
    }

    /// Starts a child process. See `ProcessSpec` for what can be configured.
    public static func spawn(_ spec: ProcessSpec) async throws -> ChildProcess {
        let prepared = try spec.prepared()
        let pid = try await ProcessSpawner.shared.perform { try prepared.spawn() }
        let child = ChildProcess(pid: pid, commandLine: spec.commandLine)
        // Registered before the waiter starts, whose unregistering must come after.
        if let signal = spec.stopAtExitSignal {
            ChildProcessRegistry.shared.register(child, stopSignal: signal)
        }
        child.startWaiterThread()
        return child
    }

    /// The exit status, or nil while the process runs.
    public var exitStatus: ProcessExitStatus? { state.withLock { $0.exitStatus } }

    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` unless the process has already exited. Returns whether it was sent.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard state.exitStatus == nil else { return false }
            return kill(pid, signal) == 0
        }
    }

    /// Sends `signal` to the child's process group (children are spawned as group leaders, see
    /// `ProcessSpec.ownProcessGroup`), reaching the processes it started too.
    public func signalProcessGroup(_ signal: Int32) {
        state.withLock { state in
            // While the leader is unreaped, its pid (= the group id) cannot be reused.
            guard state.exitStatus == nil else { return }
            _ = kill(-pid, signal)
        }
    }

    /// Waits until the process exits. Throws `CancellationError` if the waiting task is cancelled
    /// (the process keeps running).
    public func waitForExit() async throws -> ProcessExitStatus {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<ProcessExitStatus, any Error>? = state.withLock { state in
                    if let status = state.exitStatus { return .success(status) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Waits at most `timeout` for the process to exit; nil if it still runs (or we were cancelled).
    public func waitForExit(timeout: Duration) async -> ProcessExitStatus? {
        await withTaskGroup(of: ProcessExitStatus?.self) { group in
            group.addTask { try? await self.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Signals, waits up to `grace`, then SIGKILLs and waits for the exit. Safe to call repeatedly.
    @discardableResult
    public func terminate(signal: Int32 = SIGTERM, grace: Duration) async -> ProcessExitStatus {
        // Stopping must finish even when the caller is being cancelled (shutdown is exactly then),
        // so the waiting runs in an unstructured task, which does not inherit cancellation.
        await Task { await self.terminateUncancellable(signal: signal, grace: grace) }.value
    }

    private func terminateUncancellable(signal: Int32, grace: Duration) async -> ProcessExitStatus {
        if let status = exitStatus { return status }
        self.signal(signal)
        if let status = await waitForExit(timeout: grace) { return status }
        self.signal(SIGKILL)
        // SIGKILL cannot be caught; the waiter thread reports the exit within milliseconds.
        while true {
            if let status = await waitForExit(timeout: .seconds(5)) { return status }
        }
    }

    /// Blocking variant for process exit (atexit), where no async context exists: polls the state
    /// the waiter thread maintains until `deadline`.
    func waitForExitBlocking(until deadline: ContinuousClock.Instant) -> ProcessExitStatus? {
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            usleep(5_000)
        }
        return exitStatus
    }

    private func startWaiterThread() {
        let thread = Thread { [self] in
            self.waitUntilExited()
        }
        thread.name = "almanac.localservers.wait.\(pid)"
        thread.start()
    }

    private func waitUntilExited() {
        // WNOWAIT: learn that the child exited but leave it a zombie, so its pid cannot be reused
        // until we reap it below while holding the lock.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let waiters = state.withLock { state -> [CheckedContinuation<ProcessExitStatus, any Error>] in
            var rawStatus: Int32 = 0
            let reaped = waitpid(pid, &rawStatus, 0)
            // ECHILD: somebody else reaped our child (a foreign SIGCHLD handler); report a plain exit.
            state.exitStatus = reaped == pid ? ProcessExitStatus(waitStatus: rawStatus) : .exited(code: -1)
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        let status = exitStatus!
        for waiter in waiters { waiter.resume(returning: status) }
        ChildProcessRegistry.shared.unregister(self)
    }
}
