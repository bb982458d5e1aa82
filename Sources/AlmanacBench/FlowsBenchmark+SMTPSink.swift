import Foundation
import Synchronization

extension FlowsBenchmark {
    /// The tests' SMTP server (`Tests/MailTests/Fixtures/smtp_sink.py`, Python aiosmtpd on a
    /// loopback port) as a child process: AlmanacBench cannot import TestSupport, so this is the
    /// small launcher it needs. Each delivered mail arrives as (first recipient, arrival time)
    /// on `deliveries`, stamped by the thread reading the sink's stdout as the line arrives.
    final class SMTPSink: Sendable {
        struct Delivery: Sendable {
            let recipient: String
            /// `DispatchTime.now().uptimeNanoseconds` when the sink's line was read.
            let receivedAt: UInt64
        }

        let port: Int
        let deliveries: AsyncStream<Delivery>
        private let process: Process
        private let stdin: Pipe

        private init(port: Int, deliveries: AsyncStream<Delivery>, process: Process, stdin: Pipe) {
            self.port = port
            self.deliveries = deliveries
            self.process = process
            self.stdin = stdin
        }

        /// Starts the sink and waits for its `PORT <n>` line (printed after listen()).
        static func start() async throws -> SMTPSink {
            let script = try fixture("Tests/MailTests/Fixtures/smtp_sink.py")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path]
            let stdin = Pipe()
            let stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()

            let (deliveries, delivered) = AsyncStream<Delivery>.makeStream()
            let (ports, portFound) = AsyncStream<Int?>.makeStream()
            let handle = stdout.fileHandleForReading
            let reader = Thread {
                var pending = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                        pending.removeSubrange(pending.startIndex...newline)
                        let now = DispatchTime.now().uptimeNanoseconds
                        if line.hasPrefix("PORT ") {
                            portFound.yield(Int(line.dropFirst("PORT ".count)))
                            portFound.finish()
                        } else if line.hasPrefix("MESSAGE "), let recipient = Self.firstRecipient(line.dropFirst("MESSAGE ".count)) {
                            delivered.yield(Delivery(recipient: recipient, receivedAt: now))
                        }
                    }
                }
                portFound.finish()
                delivered.finish()
            }
            reader.name = "almanac.bench.smtp-sink"
            reader.start()
            var iterator = ports.makeAsyncIterator()
            guard let found = await iterator.next(), let port = found else {
                process.terminate()
                throw BenchError("the SMTP sink did not start: it needs Python's aiosmtpd (tools/setup installs it)")
            }
            return SMTPSink(port: port, deliveries: deliveries, process: process, stdin: stdin)
        }

        private static func firstRecipient(_ json: Substring) -> String? {
            struct Line: Decodable { let rcptTos: [String] }
            return (try? JSONDecoder().decode(Line.self, from: Data(json.utf8)))?.rcptTos.first
        }

        /// The sink exits when its stdin closes; the wait for it runs on a thread of its own.
        func stop() async {
            try? stdin.fileHandleForWriting.close()
            _ = try? await BlockingThread.run("almanac.bench.smtp-sink-exit") { [process] in process.waitUntilExit() }
        }
    }

    /// A file of the repository the benchmark was built from.
    static func fixture(_ relativePath: String) throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw BenchError("cannot find \(relativePath) next to \(#filePath)")
    }
}
