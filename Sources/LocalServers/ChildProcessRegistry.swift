import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The servers we started that must not outlive us.
///
/// How children die with us:
/// - normal exit (`exit()`, end of `main`, end of a test run): an `atexit` handler sends each
///   running server its stop signal and waits a few seconds for it, then SIGKILLs what is left;
/// - any other death (crash, SIGKILL, an unhandled signal): the kernel sends each server its
///   parent-death signal (`ProcessSpec.parentDeathSignal`, set through `setpriv --pdeathsig` from a
///   thread that lives as long as the process, see `ProcessSpawner`);
/// - orderly shutdown of `almanac dev` and tests calls `stop()` before either of those.
public final class ChildProcessRegistry: Sendable {
    public static let shared = ChildProcessRegistry()

    private struct Entry {
        let child: ChildProcess
        let stopSignal: Int32
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var atExitInstalled = false
    }

    private let state = Mutex(State())

    private init() {}

    func register(_ child: ChildProcess, stopSignal: Int32) {
        let install = state.withLock { state in
            state.entries[ObjectIdentifier(child)] = Entry(child: child, stopSignal: stopSignal)
            defer { state.atExitInstalled = true }
            return !state.atExitInstalled
        }
        if install {
            atexit { ChildProcessRegistry.shared.stopAllNow(grace: .seconds(10)) }
        }
    }

    func unregister(_ child: ChildProcess) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(child)) }
    }

    /// Pids of the registered children still running.
    public var runningPIDs: [pid_t] {
        state.withLock { $0.entries.values.map(\.child) }.filter(\.isRunning).map(\.pid)
    }

    /// Synchronously stops every registered child: its stop signal, up to `grace` for all of them
    /// together, then SIGKILL. For exit paths with no async context; idempotent.
    public func stopAllNow(grace: Duration) {
        let entries = state.withLock { Array($0.entries.values) }
        guard !entries.isEmpty else { return }
        for entry in entries { entry.child.signal(entry.stopSignal) }
        let deadline = ContinuousClock.now + grace
        for entry in entries where entry.child.waitForExitBlocking(until: deadline) == nil {
            entry.child.signal(SIGKILL)
            _ = entry.child.waitForExitBlocking(until: ContinuousClock.now + .seconds(5))
        }
    }
}
