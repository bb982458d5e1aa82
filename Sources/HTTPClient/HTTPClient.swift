import Foundation
public import Logging

/// Outbound HTTP(S) and SMTP over libcurl. One client owns one curl multi handle driven by its
/// own thread; every request and mail shares it (and its connection cache), and no call blocks
/// a Swift concurrency thread. Create one per process (or per distinct configuration) and keep
/// it: dropping the last reference stops the thread.
public final class HTTPClient: HTTPExecuting, SMTPSending {
    public let configuration: HTTPClientConfiguration
    let loop: CurlMultiLoop

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), logger: Logger = Logger(label: "almanac.http-client")) throws {
        self.configuration = configuration
        loop = try CurlMultiLoop(maxConnectionsPerHost: configuration.maxConnectionsPerHost, logger: logger)
    }

    deinit {
        loop.stop()
    }

    /// Stops the client: transfers still running fail with `.shutDown`, later calls fail with
    /// `.shutDown` at once, and this returns once the curl thread has freed the multi handle
    /// (with its cached connections) and ended. Dropping the last reference does the same
    /// without waiting.
    public func shutdown() async {
        await loop.stopAndWait()
    }

    /// Runs one transfer built by `configure` on the curl thread and waits for its outcome;
    /// task cancellation removes it from the multi handle and throws CancellationError.
    func perform(
        url: URL,
        method: String,
        responseLimit: Int,
        configure: @escaping (CurlTransfer) throws(HTTPClientError) -> Void
    ) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let ticket = TransferTicket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                // Built here and handed over whole: after `submit` only the curl thread holds
                // the transfer, so it is also freed there.
                do {
                    let transfer = try CurlTransfer(url: url, method: method, responseLimit: responseLimit, ticket: ticket)
                    try configure(transfer)
                    transfer.continuation = continuation
                    loop.submit(transfer)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            loop.cancel(ticket)
        }
    }
}
