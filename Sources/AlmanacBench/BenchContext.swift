import Foundation
import Synchronization

/// What a benchmark gets to run with: the size of the run, a scratch folder for its servers,
/// progress lines, and a place for the parameters and notes that go into the report.
final class BenchContext: Sendable {
    let benchmark: String
    let quick: Bool
    /// Removed after the run; servers keep their stores and logs here.
    let scratchFolder: URL
    private let recorded = Mutex<(parameters: [String: String], notes: [String])>(([:], []))

    init(benchmark: String, quick: Bool) throws {
        self.benchmark = benchmark
        self.quick = quick
        scratchFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-bench-\(benchmark)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: scratchFolder, withIntermediateDirectories: true)
    }

    var parameters: [String: String] { recorded.withLock { $0.parameters } }
    var notes: [String] { recorded.withLock { $0.notes } }

    func record(_ name: String, _ value: some CustomStringConvertible) {
        recorded.withLock { $0.parameters[name] = value.description }
    }

    func note(_ text: String) {
        recorded.withLock { if !$0.notes.contains(text) { $0.notes.append(text) } }
    }

    /// A fresh folder under the scratch folder.
    func folder(_ name: String) throws -> URL {
        let url = scratchFolder.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts a progress line on stderr for a phase of `total` steps (nil when unknown).
    func progress(_ phase: String, total: Int?, unit: String, poll: ProgressReporter.Poll? = nil) -> ProgressReporter {
        ProgressReporter.start(label: "[\(benchmark)] \(phase)", total: total, unit: unit, poll: poll)
    }

    func removeScratchFolder() {
        try? FileManager.default.removeItem(at: scratchFolder)
    }
}
