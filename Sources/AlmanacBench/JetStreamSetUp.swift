import Foundation
import NATSClient

/// Stream, bucket and consumer creation for a benchmark, tried again until a deadline.
///
/// A fresh 3-node cluster on a loaded 2-core machine has a meta leader (`LocalNATSCluster`
/// waits for it) but may still take longer than one API timeout to place an R3 stream's peers:
/// a full booking run once stopped on a timed-out `$JS.API.STREAM.CREATE.BOOKINGS`. Every
/// set-up call here is create-or-update, so trying again after a timeout whose request did
/// land only finds the stream there.
enum JetStreamSetUp {
    /// The set-up API's own timeout per request, longer than the 5 s default of `JetStream`.
    static let requestTimeout: Duration = .seconds(15)
    /// How long one set-up step may keep failing before the benchmark gives up.
    static let deadline: Duration = .seconds(90)

    /// `jetStream` with the longer per-request timeout.
    static func patient(_ jetStream: JetStream) -> JetStream {
        var patient = jetStream
        patient.timeout = requestTimeout
        return patient
    }

    /// Runs `step` until it succeeds; between failures waits 0.25 s, doubling up to 2 s (backing
    /// off a cluster that is still settling, not synchronising with it). After `deadline` the
    /// last error is thrown, named with `what`.
    @discardableResult
    static func retrying<T: Sendable>(_ what: String, deadline: Duration = deadline, _ step: () async throws -> T) async throws -> T {
        let giveUpAt = ContinuousClock.now + deadline
        var pause: Duration = .milliseconds(250)
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await step()
            } catch {
                guard ContinuousClock.now + pause < giveUpAt else {
                    throw BenchError("\(what) still failed after \(attempts) attempts in \(deadline): \(error)")
                }
                FileHandle.standardError.write(Data("bench: \(what) failed (attempt \(attempts)), trying again: \(error)\n".utf8))
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }
}
