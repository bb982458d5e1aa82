import Foundation
import PostgresClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Connect timeout")
struct ConnectTimeoutTests {
    /// A loopback TCP socket that accepts connections (through the kernel's backlog) and never
    /// answers: libpq's startup waits forever, so only our deadline can end it.
    private func silentListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    // Without the deadline this call never returns: the time limit catches that. How long the
    // call takes beyond 300 ms measures how busy the machine's blocking-call threads are (the
    // whole suite runs in parallel on two cores), not the deadline, so it is not asserted; the
    // error text says the deadline, not the server, ended the attempt.
    @Test(.timeLimit(.minutes(1))) func silentServerTimesOutWithOneLine() async throws {
        let (fd, port) = try silentListener()
        defer { close(fd) }
        let configuration = PostgresConfiguration(
            conninfo: "host=127.0.0.1 port=\(port) user=x dbname=x", connectTimeout: .milliseconds(300))
        let error = await #expect(throws: PostgresClientError.self) { try await PostgresConnection.connect(configuration) }
        #expect(error?.kind == .unreachable)
        #expect(error?.description == "cannot reach PostgreSQL at 127.0.0.1:\(port): timed out after 300ms")
    }
}
