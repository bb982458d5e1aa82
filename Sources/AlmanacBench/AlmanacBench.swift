import ArgumentParser
import Foundation

/// `AlmanacBench [name ...] [--quick]`: runs benchmarks, prints each figure beside the raw limit
/// measured in the same run, and writes the results as JSON for `tools/bench-plot`.
@main
struct AlmanacBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AlmanacBench",
        abstract: "Almanac benchmarks: each figure beside the raw limit of the same machine, measured in the same run."
    )

    @Argument(help: "Benchmarks to run (all when none given).")
    var names: [String] = []

    @Flag(help: "Small counts (a few seconds per phase) for a smoke run.")
    var quick = false

    @Flag(help: "Print the benchmark names and exit.")
    var list = false

    @Option(help: "Folder for the JSON results.")
    var resultsDirectory = "bench-results"

    @Option(help: "Timestamp in the result file names (tools/bench passes one so the plot shares it).")
    var timestamp: String?

    func run() async throws {
        if list {
            BenchmarkCatalog.all.forEach { print($0.name) }
            return
        }
        let selected = try BenchmarkCatalog.select(names)
        let stamp = timestamp ?? BenchReport.timestamp(Date())
        let resultsFolder = URL(fileURLWithPath: resultsDirectory, isDirectory: true)
        var failed: [String] = []
        for benchmark in selected {
            let context = try BenchContext(benchmark: benchmark.name, quick: quick)
            let started = Date()
            do {
                let figures = try await benchmark.run(context)
                let report = BenchReport(benchmark: benchmark.name, summary: benchmark.summary, timestamp: stamp, startedAt: started,
                                         seconds: Date().timeIntervalSince(started), quick: quick, host: .current(),
                                         parameters: context.parameters, notes: context.notes, figures: figures)
                let file = try report.write(to: resultsFolder)
                print(report.table())
                print("results: \(file.path)\n")
            } catch {
                failed.append(benchmark.name)
                FileHandle.standardError.write(Data("\(benchmark.name) failed: \(error)\n".utf8))
            }
            context.removeScratchFolder()
        }
        if !failed.isEmpty { throw ExitCode(2) }
    }
}
