internal import CCurl

/// libcurl's process-wide initialisation, done exactly once.
enum CurlGlobal {
    /// curl_global_init sets up the TLS library and other global state. The docs: it must be
    /// called before any other libcurl function, and it is not thread safe (unless libcurl
    /// reports CURL_VERSION_THREADSAFE, 7.84.0+) — it must not run while another thread may be
    /// calling into libcurl, and must not be called twice concurrently. A Swift global/static
    /// `let` is initialised lazily exactly once under swift_once, and every path that creates a
    /// curl handle reads it first, so the call happens once and before any other libcurl use.
    /// curl_global_cleanup is never called: the state lives as long as the process.
    private static let initResult: CURLcode = almanac_curl_global_init_all()

    static func ensureInitialized() throws(HTTPClientError) {
        let code = initResult
        guard code == CURLE_OK else {
            throw HTTPClientError(
                kind: .transferFailed,
                url: "-",
                curlCode: Int(code.rawValue),
                message: String(cString: curl_easy_strerror(code)),
                detail: "curl_global_init failed"
            )
        }
    }
}
