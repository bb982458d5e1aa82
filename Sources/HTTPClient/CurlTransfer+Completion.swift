internal import CCurl

extension CurlTransfer {
    /// The outcome of a transfer libcurl reported done (CURLMSG_DONE) with `code`.
    /// Reads CURLINFO values, so call it before the handle is cleaned up.
    func result(for code: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        guard code == CURLE_OK else {
            return .failure(.curl(
                code,
                url: redactedURL,
                errorBuffer: errorBufferText,
                responseLimit: responseLimit,
                responseLimitExceeded: responseLimitExceeded
            ))
        }
        // CURLINFO_RESPONSE_CODE: the last HTTP status, or the last SMTP reply code.
        var status = 0
        _ = almanac_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: headers, body: body))
    }
}
