import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable {
    public let commandLine: String
    public let status: ProcessExitStatus
    public let standardOutput: Data
    public let standardError: Data
    /// The timeout passed and the process was killed.
    public let timedOut: Bool

    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
    public var succeeded: Bool { status.isSuccess && !timedOut }

    /// Self if the process succeeded, otherwise a `ProcessFailure` carrying its stderr.
    @discardableResult
    public func checked() throws -> ProcessResult {
        guard succeeded else {
            throw ProcessFailure(
                commandLine: commandLine,
                status: status,
                standardError: timedOut ? "timed out\n\(errorOutput)" : errorOutput
            )
        }
        return self
    }
}

/// Runs a process to completion and captures its output.
///
/// Pipes are drained by dedicated threads while the process runs (a full pipe would otherwise
/// block the child forever); nothing blocks the Swift cooperative pool.
public enum ProcessRunner {
    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String?] = [:],
        workingDirectory: String? = nil,
        input: Data? = nil,
        user: String? = nil,
        timeout: Duration? = .seconds(120)
    ) async throws -> ProcessResult {
        let stdout = try CapturePipe.make()
        let stderr = try CapturePipe.make()
        // Input goes through a temporary file rather than a pipe: writing to a pipe whose reader
        // quit raises SIGPIPE, which would kill the whole test process.
        let inputFile = try input.map(Self.temporaryFile(holding:))
        defer { if let inputFile { unlink(inputFile) } }

        var spec = ProcessSpec(
            executable: executable, arguments: arguments,
            environment: environment, workingDirectory: workingDirectory
        )
        spec.standardOutput = .descriptor(stdout.write)
        spec.standardError = .descriptor(stderr.write)
        if let inputFile { spec.standardInput = .readingFrom(path: inputFile) }
        spec.user = user
        // A helper that we abandon (crash, timeout) must not linger.
        spec.parentDeathSignal = SIGKILL

        let child: ChildProcess
        do {
            child = try await ChildProcess.spawn(spec)
        } catch {
            [stdout.read, stdout.write, stderr.read, stderr.write].forEach { _ = close($0) }
            throw error
        }
        // Our copies of the child's ends must go, or we would never read end-of-file.
        close(stdout.write)
        close(stderr.write)

        async let output = CapturePipe.readToEnd(stdout.read)
        async let errors = CapturePipe.readToEnd(stderr.read)
        var timedOut = false
        let status: ProcessExitStatus
        if let timeout {
            if let exited = await child.waitForExit(timeout: timeout) {
                status = exited
            } else {
                timedOut = true
                // The whole group: a grandchild holding our pipe would keep the readers waiting.
                child.signalProcessGroup(SIGKILL)
                status = await child.terminate(signal: SIGKILL, grace: .seconds(5))
            }
        } else {
            status = try await child.waitForExit()
        }
        return ProcessResult(
            commandLine: spec.commandLine, status: status,
            standardOutput: await output, standardError: await errors, timedOut: timedOut
        )
    }

    private static func temporaryFile(holding data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-input-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw LocalServersMisuse("could not write \(path)")
        }
        return path
    }
}

/// A close-on-exec pipe and the threads that move bytes through it.
enum CapturePipe {
    struct Ends {
        let read: Int32
        let write: Int32
    }

    static func make() throws -> Ends {
        var descriptors: [Int32] = [0, 0]
        // Close-on-exec from the start: a pipe end inherited by another child would keep our
        // reader from ever seeing end-of-file.
        #if canImport(Glibc)
        let pipe2 = GNUExtensions.pipe2
        #else
        let pipe2: ((UnsafeMutablePointer<Int32>?, Int32) -> Int32)? = nil
        #endif
        let created = pipe2.map { $0(&descriptors, O_CLOEXEC) } ?? {
            let result = pipe(&descriptors)
            if result == 0 { descriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) } }
            return result
        }()
        guard created == 0 else {
            throw LocalServersMisuse("pipe2 failed: \(String(cString: strerror(errno)))")
        }
        return Ends(read: descriptors[0], write: descriptors[1])
    }

    /// Reads until end-of-file on a dedicated thread, then closes the descriptor.
    static func readToEnd(_ descriptor: Int32) async -> Data {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        data.append(contentsOf: buffer[0..<count])
                    } else if count == 0 || errno != EINTR {
                        break
                    }
                }
                close(descriptor)
                continuation.resume(returning: data)
            }
            thread.name = "almanac.localservers.pipe-reader"
            thread.start()
        }
    }
}
