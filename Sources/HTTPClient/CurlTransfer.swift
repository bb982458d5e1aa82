internal import CCurl
import Foundation

/// One libcurl easy handle and everything it points at: error buffer, header/recipient lists,
/// the upload and the response being received. Built by the caller, then handed to the curl
/// thread, which drives it, resumes the caller's continuation and drops the last reference —
/// so deinit (curl_easy_cleanup) runs on the curl thread after the handle left the multi.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked: the caller configures it, then hands it to the curl thread in `submit`;
    // from then on only the curl thread touches it (callbacks run inside curl_multi_perform).

    let handle: UnsafeMutableRawPointer
    let ticket: TransferTicket
    /// For errors and logs: the URL without user info or query.
    let redactedURL: String
    let method: String

    /// CURLOPT_ERRORBUFFER target: libcurl writes a NUL-terminated message here on failure.
    /// It must stay allocated as long as the handle may use it: freed in deinit after cleanup.
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// Lists set on the handle; libcurl keeps pointers into them, so they live as long as it.
    var lists: [CurlStringList] = []

    // Response side (curl thread only).
    let responseLimit: Int
    var responseLimitExceeded = false
    var body = Data()
    var headers = HTTPHeaders()
    var parsesHeaders = false

    // Upload side for SMTP (curl thread only).
    var upload = Data()
    var uploadOffset = 0

    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    let started = ContinuousClock.now

    init(url: URL, method: String, responseLimit: Int, ticket: TransferTicket) throws(HTTPClientError) {
        try CurlGlobal.ensureInitialized()
        self.redactedURL = url.redactedForLogs
        self.method = method
        self.responseLimit = max(0, responseLimit)
        self.ticket = ticket
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(kind: .transferFailed, url: redactedURL, message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(almanac_curl_error_size))
        errorBuffer.initialize(repeating: 0, count: Int(almanac_curl_error_size))

        let urlString = url.absoluteString
        guard !urlString.utf8.contains(0) else {
            throw .invalidRequest(url: redactedURL, "URL contains a NUL byte")
        }
        try setBaseOptions(url: urlString)
    }

    deinit {
        // curl_easy_cleanup: "do not call this function while the handle is still in a multi";
        // the curl thread removes it before dropping its reference. Lists are freed after this
        // body (stored properties are released after deinit), i.e. after the handle is gone.
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// The text curl left in the error buffer, if any.
    var errorBufferText: String {
        String(cString: errorBuffer)
    }

    /// Resumes the waiting caller once. Called on the curl thread (or by `submit` when the
    /// transfer never reached it).
    func resume(with result: Result<HTTPResponse, HTTPClientError>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result.mapError { $0 as any Error })
    }

    func resumeCancelled() {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(throwing: CancellationError())
    }
}
