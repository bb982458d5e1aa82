import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct IssuerServerError: Error, CustomStringConvertible {
    var description: String
}

/// A real HTTP server for the issuer's documents: Python's http.server serving the files of a
/// temp folder on a free loopback port, so the verifier fetches discovery document and JWKS
/// over libcurl exactly as from Entra ID. Files are rewritten atomically to rotate keys. The
/// script exits when its stdin closes, so it cannot outlive the test process.
final class IssuerServer: Sendable {
    let port: Int
    let folder: URL
    private let process: Process
    private let stdin: Pipe

    var url: String { "http://127.0.0.1:\(port)" }

    private static let script = #"""
    import functools, http.server, os, sys, threading
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
    print("PORT %d" % server.server_address[1], flush=True)
    def exit_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()
    """#

    static func start() async throws -> IssuerServer {
        // Under ALMANAC_TEST_ROOT when tools/test set it: it stops whatever runs from there.
        let base = ProcessInfo.processInfo.environment["ALMANAC_TEST_ROOT"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent("access-issuer-\(UUID().uuidString)")
        let documents = folder.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: documents.appendingPathComponent(".well-known"), withIntermediateDirectories: true)
        let scriptURL = folder.appendingPathComponent("issuer_server.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, documents.path]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let port: Int
        do {
            port = try await firstLinePort(stdout.fileHandleForReading)
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        return IssuerServer(port: port, folder: folder, process: process, stdin: stdin)
    }

    private init(port: Int, folder: URL, process: Process, stdin: Pipe) {
        self.port = port
        self.folder = folder
        self.process = process
        self.stdin = stdin
    }

    /// Reads stdout on a thread of its own until the `PORT <n>` line (printed after listen()).
    private static func firstLinePort(_ handle: FileHandle) async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let thread = Thread {
                var pending = Data()
                while !pending.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                }
                let line = String(decoding: pending.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                if line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) {
                    continuation.resume(returning: port)
                } else {
                    continuation.resume(throwing: IssuerServerError(description: "the issuer server did not start (stdout: \(line.debugDescription))"))
                }
            }
            thread.start()
        }
    }

    /// Serves `data` at `path` (e.g. "/jwks.json") from now on.
    func serve(_ data: Data, at path: String) throws {
        try data.write(to: folder.appendingPathComponent("www" + path), options: .atomic)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A loopback port nothing listens on: bound to let the kernel pick it, then closed.
    static func unusedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        precondition(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
