internal import CCurl

/// Typed setters over the shim's curl_easy_setopt wrappers; a failure becomes an
/// HTTPClientError that keeps the CURLcode and names the option.
extension CurlTransfer {
    func set(_ option: CURLoption, _ value: Int, _ what: String) throws(HTTPClientError) {
        try check(almanac_curl_easy_setopt_long(handle, option, value), what)
    }

    func set(_ option: CURLoption, _ value: Bool, _ what: String) throws(HTTPClientError) {
        try set(option, value ? 1 : 0, what)
    }

    func set(_ option: CURLoption, offT value: Int, _ what: String) throws(HTTPClientError) {
        try check(almanac_curl_easy_setopt_off_t(handle, option, curl_off_t(value)), what)
    }

    /// libcurl copies the string (all string options but CURLOPT_POSTFIELDS, which is unused).
    func set(_ option: CURLoption, _ value: String, _ what: String) throws(HTTPClientError) {
        guard !value.utf8.contains(0) else {
            throw .invalidRequest(url: redactedURL, "\(what) contains a NUL byte")
        }
        try check(almanac_curl_easy_setopt_string(handle, option, value), what)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?, _ what: String) throws(HTTPClientError) {
        try check(almanac_curl_easy_setopt_pointer(handle, option, pointer), what)
    }

    /// Sets a list and keeps it alive as long as this transfer (libcurl does not copy it).
    func set(_ option: CURLoption, lines: [String], _ what: String) throws(HTTPClientError) {
        let list = CurlStringList()
        for line in lines {
            guard !line.utf8.contains(0) else {
                throw .invalidRequest(url: redactedURL, "\(what) contains a NUL byte")
            }
            guard list.append(line) else {
                throw HTTPClientError(kind: .transferFailed, url: redactedURL, message: "out of memory building \(what)")
            }
        }
        lists.append(list)
        try check(almanac_curl_easy_setopt_slist(handle, option, list.pointer), what)
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw .setup(code, url: redactedURL, what: what) }
    }
}
