/// One benchmark: runs its phases against servers it starts itself and returns its figures,
/// each compared with a raw limit measured in the same run where there is one.
protocol Benchmark: Sendable {
    /// The name on the command line and in result file names.
    var name: String { get }
    /// One line: what is measured and what it is compared with.
    var summary: String { get }
    func run(_ context: BenchContext) async throws -> [Figure]
}

enum BenchmarkCatalog {
    static let all: [any Benchmark] = [
        EventStoreBenchmark(),
        EventStoreLayersBenchmark(),
        ProjectionsBenchmark(),
        EventJSONBenchmark(),
        BookingBenchmark(),
        AtomicBatchBenchmark(),
        FlowsBenchmark(),
    ]

    static func select(_ names: [String]) throws -> [any Benchmark] {
        guard !names.isEmpty else { return all }
        return try names.map { name in
            guard let found = all.first(where: { $0.name == name }) else {
                throw BenchError("unknown benchmark \(name); known: \(all.map(\.name).joined(separator: ", "))")
            }
            return found
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
