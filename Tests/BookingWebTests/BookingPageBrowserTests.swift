import BookingWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The booking page in a real browser (Debian's headless Chromium, driven by
/// `Browser/booking-flow.mjs` over the DevTools protocol) against the live app.
@Suite struct BookingPageBrowserTests {
    // Not conditional: tools/setup installs Debian's chromium and nodejs, and a browser test
    // that quietly does not run would prove nothing.
    @Test
    func givenEdithSignsInOnTheDemoPage_whenSheBooksAFreeDeskAndCancelsIt_thenThePageShowsEachStep() async throws {
        let harness = try await BookingWebHarness.shared.value
        let app = try await buildApplication(harness.configuration())
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/booking-flow.mjs")
        let profile = try await TestServers.shared().makeDirectory(prefix: "chromium")
        let date = String(ZurichTime.weekday(7, hour: 12).prefix(10))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let output = try await Self.run("/usr/bin/node", [script.path, "http://127.0.0.1:\(port)", "demo-edith", date, "zh-desk-003", profile.path])
            let result = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            #expect(result?["ok"] as? Bool == true, "\(output)")
            let bookingId = try #require(result?["bookingId"] as? String)
            #expect(bookingId.hasPrefix("bk-"))
        }
    }

    /// Runs a program to its end off the cooperative pool and returns its standard output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.terminationHandler = { _ in
                let data = output.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
