import Foundation
import NATSClient
import TestSupport

/// Minimal stream setup for CLI tests, through the library rather than the CLI under test.
enum NATSClientFixture {
    static func connect(_ url: String) async throws -> NATSConnection {
        try await NATSConnection.connect(NATSConnectOptions(url: url, name: "cli-test"))
    }
}

extension NATSConnection {
    func stream(name: String, prefix: String, events: Int) async throws {
        try await jetStream.createOrUpdateStream(StreamConfig(name: name, subjects: ["\(prefix).>"]))
        for index in 1...events {
            _ = try await jetStream.publish("\(prefix).e.\(index)", payload: Array(#"{"n":\#(index)}"#.utf8), headers: [
                "Almanac-Event-Type": "test.happened", "Almanac-Event-Version": "1", "Almanac-Occurred-At": "2027-01-01T00:00:00.000Z",
            ])
        }
    }
}

/// Waits until a log file written by a child process contains a line, by watching the file
/// grow (inotify would be nicer; a short re-read interval keeps this simple and bounded).
enum LogWatcher {
    struct TimedOut: Error, CustomStringConvertible {
        let expected: String
        let seen: String
        var description: String { "timed out waiting for \(String(reflecting: expected)); log so far:\n\(seen)" }
    }

    static func waitFor(file: URL, containing expected: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while ContinuousClock.now < deadline {
            text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if text.contains(expected) { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TimedOut(expected: expected, seen: text)
    }
}
