import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension ScriptProcess {
    /// The port from the script's `PORT <n>` line, once a TCP connection to it succeeds.
    func listeningPort() async throws -> Int {
        let line = try await line(where: { $0.hasPrefix("PORT ") })
        guard let port = Int(line.dropFirst("PORT ".count)) else {
            throw ScriptProcessError(description: "\(name) printed \(line.debugDescription)")
        }
        // The script prints after listen(), so the first attempt normally succeeds; a few
        // bounded retries cover a slow start without a fixed sleep.
        let deadline = ContinuousClock.now + .seconds(10)
        while !Loopback.canConnect(port: port) {
            guard ContinuousClock.now < deadline else {
                throw ScriptProcessError(description: "\(name) does not accept connections on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return port
    }
}

/// Runs `body` with a script server started for it, and always stops the server afterwards.
func withScriptServer<T>(
    _ name: String,
    script: String,
    arguments: [String] = [],
    _ body: (ScriptProcess, Int) async throws -> T
) async throws -> T {
    let server = try await ScriptProcess.start(name: name, script: script, arguments: arguments)
    do {
        let port = try await server.listeningPort()
        let result = try await body(server, port)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}

func withHTTPServer<T>(tls: TestCertificate? = nil, _ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
    let arguments = tls.map { ["--tls", $0.certificatePath, $0.keyPath] } ?? []
    return try await withScriptServer("http-server", script: Fixtures.httpServer, arguments: arguments, body)
}

func withSMTPServer<T>(startTLS: TestCertificate? = nil, _ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
    let check = Process()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import aiosmtpd"]
    check.standardError = FileHandle.nullDevice
    try check.run()
    check.waitUntilExit()
    guard check.terminationStatus == 0 else {
        throw ScriptProcessError(description: "the SMTP tests need Python's aiosmtpd: pip install aiosmtpd")
    }
    let arguments = startTLS.map { ["--starttls", $0.certificatePath, $0.keyPath] } ?? []
    return try await withScriptServer("smtp-server", script: Fixtures.smtpServer, arguments: arguments, body)
}

enum Loopback {
    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// A loopback port nothing listens on: bound to let the kernel pick it, then closed.
    static func unusedPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
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
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
