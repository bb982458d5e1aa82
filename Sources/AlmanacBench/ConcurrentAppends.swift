import Foundation

/// The append load of the benchmarks: `tasks` concurrent writers, each owning every `tasks`-th
/// subject and appending one message at a time with the subject's expected last sequence
/// taken from the previous answer — what a booking command handler does, minus the deciding.
enum ConcurrentAppends {
    struct Run: Sendable {
        let appends: Int
        let seconds: Double
        /// Seconds per append, unordered.
        let latencies: [Double]
        var perSecond: Double { Double(appends) / seconds }
    }

    /// `append(subject, expected last subject sequence (0 = none yet), task, index)` stores one
    /// message and returns its stream sequence.
    typealias Append = @Sendable (_ subject: String, _ expected: UInt64, _ task: Int, _ index: Int) async throws -> UInt64

    static func run(tasks: Int, subjects: [String], total: Int, progress: ProgressReporter?, _ append: @escaping Append) async throws -> Run {
        let perTask = total / tasks
        let start = DispatchTime.now().uptimeNanoseconds
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for task in 0..<tasks {
                let owned = stride(from: task, to: subjects.count, by: tasks).map { subjects[$0] }
                group.addTask {
                    var expected = [UInt64](repeating: 0, count: owned.count)
                    var latencies: [Double] = []
                    latencies.reserveCapacity(perTask)
                    for index in 0..<perTask {
                        let slot = index % owned.count
                        let begin = DispatchTime.now().uptimeNanoseconds
                        expected[slot] = try await append(owned[slot], expected[slot], task, index)
                        latencies.append(secondsSince(begin))
                        progress?.advance()
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            all.reserveCapacity(total)
            for try await some in group { all += some }
            return all
        }
        return Run(appends: latencies.count, seconds: secondsSince(start), latencies: latencies)
    }
}
