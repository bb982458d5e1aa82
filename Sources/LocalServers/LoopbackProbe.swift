import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Readiness probes over loopback TCP. The socket calls block (briefly: loopback, 1 s timeouts),
/// so they run on a queue of their own, never on the Swift cooperative pool.
enum LoopbackProbe {
    private static let queue = DispatchQueue(label: "almanac.localservers.probe")

    /// Connects, optionally sends `request`, and returns what the server says first (up to
    /// `limit` bytes, or until it closes); nil if nobody accepts the connection.
    static func exchange(port: Int, request: String? = nil, limit: Int = 4096) async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: exchangeBlocking(port: port, request: request, limit: limit)) }
        }
    }

    /// The status code of `GET path` over HTTP/1.0, or nil if nobody answers.
    static func httpStatus(port: Int, path: String) async -> Int? {
        guard let response = await exchange(port: port, request: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", limit: 64)
        else { return nil }
        // "HTTP/1.0 200 OK"
        let parts = response.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    private static func exchangeBlocking(port: Int, request: String?, limit: Int) -> String? {
        guard let socket = try? LoopbackSocket.make() else { return nil }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackSocket.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        if let request {
            let bytes = Array(request.utf8)
            guard send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return nil }
        }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while received.count < limit {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            // A server greeting (NATS INFO) or a status line is one line: enough to decide.
            if received.contains(UInt8(ascii: "\n")) { break }
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }
}

/// Polls a condition until it holds or a deadline passes. Readiness is a condition, never a sleep.
enum Poll {
    /// Returns true as soon as `condition` holds, false once `timeout` has passed.
    static func until(
        timeout: Duration,
        every interval: Duration = .milliseconds(25),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: interval)
        }
    }
}
