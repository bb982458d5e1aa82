#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time (user + system, all threads) this process has used: the client's cost of a phase,
/// which on a machine the server shares is throughput the server does not get.
enum ProcessCPUTime {
    static func seconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU seconds spent in `body`.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (result: T, cpuSeconds: Double) {
        let before = seconds()
        let result = try await body()
        return (result, seconds() - before)
    }
}
