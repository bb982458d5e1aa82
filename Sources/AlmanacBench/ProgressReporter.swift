import Foundation
import Synchronization

/// A progress line on stderr about once a second while a long phase runs: count, rate, ETA.
///
/// The count comes either from the phase itself (`advance`) or, for raw libnats calls that
/// report nothing while they run, from `poll` (e.g. the stream's message count).
final class ProgressReporter: Sendable {
    typealias Poll = @Sendable () async -> Int?

    let label: String
    let total: Int?
    let unit: String
    private let count = Atomic<Int>(0)
    private let started = ContinuousClock.now
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    private init(label: String, total: Int?, unit: String) {
        self.label = label
        self.total = total
        self.unit = unit
    }

    static func start(label: String, total: Int?, unit: String, poll: Poll?) -> ProgressReporter {
        let reporter = ProgressReporter(label: label, total: total, unit: unit)
        let task = Task.detached { [reporter] in
            // A clock for the display only; nothing waits on it.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                if let poll, let polled = await poll() { reporter.count.store(polled, ordering: .relaxed) }
                reporter.printLine(final: false)
            }
        }
        reporter.ticker.withLock { $0 = task }
        return reporter
    }

    func advance(by steps: Int = 1) {
        count.add(steps, ordering: .relaxed)
    }

    func set(_ value: Int) {
        count.store(value, ordering: .relaxed)
    }

    /// Stops the ticker and prints the closing line with `done` (the real count) if given.
    func finish(done: Int? = nil) {
        ticker.withLock { $0?.cancel(); $0 = nil }
        if let done { count.store(done, ordering: .relaxed) }
        printLine(final: true)
    }

    /// Stops the ticker and says the phase failed.
    func fail() {
        ticker.withLock { $0?.cancel(); $0 = nil }
        FileHandle.standardError.write(Data("\(label): failed after \(NumberText.duration(elapsed))\n".utf8))
    }

    private var elapsed: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private func printLine(final: Bool) {
        let done = count.load(ordering: .relaxed)
        let seconds = elapsed
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var text = "\(label): \(NumberText.grouped(done))"
        if let total { text += "/\(NumberText.grouped(total))" }
        text += " \(unit)"
        if done > 0 { text += ", \(NumberText.grouped(Int(rate))) /s" }
        if final {
            text += " in \(NumberText.fixed(seconds, 1)) s"
        } else {
            text += ", \(NumberText.duration(seconds)) elapsed"
            if let total, rate > 0, done < total { text += ", ETA \(NumberText.duration(Double(total - done) / rate))" }
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
