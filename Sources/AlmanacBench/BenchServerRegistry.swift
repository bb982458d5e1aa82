import Foundation
import Synchronization

/// The servers this process started, so Ctrl-C or SIGTERM stops them instead of leaving them
/// running after the benchmark is gone.
final class BenchServerRegistry: Sendable {
    static let shared = BenchServerRegistry()

    private let running = Mutex<[ObjectIdentifier: Int32]>([:])
    // Only kept alive (a released source stops delivering); never touched after init.
    nonisolated(unsafe) private let signalSources: [any DispatchSourceSignal]

    private init() {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                BenchServerRegistry.shared.terminateAll()
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
        signalSources = sources
    }

    func add(_ child: ChildProcess) {
        running.withLock { $0[ObjectIdentifier(child)] = child.pid }
    }

    func remove(_ child: ChildProcess) {
        _ = running.withLock { $0.removeValue(forKey: ObjectIdentifier(child)) }
    }

    private func terminateAll() {
        let pids = running.withLock { Array($0.values) }
        for pid in pids { kill(pid, SIGTERM) }
    }
}
