import Foundation

extension HTTPClient {
    /// Sends `request` and returns the complete response (any status: a 4xx/5xx is a response,
    /// not an error). Throws HTTPClientError when no response could be had, and
    /// CancellationError when the task is cancelled.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let configuration = configuration
        return try await perform(
            url: request.url,
            method: request.method.rawValue,
            responseLimit: request.maxResponseSize ?? configuration.maxResponseSize
        ) { transfer throws(HTTPClientError) in
            try transfer.configureHTTP(request, configuration)
        }
    }
}
