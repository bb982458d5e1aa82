internal import CCurl
import Foundation

/// The C callbacks libcurl calls from inside curl_multi_perform, i.e. on the curl thread.
/// Their userdata is an unretained pointer to the transfer: the curl thread holds a strong
/// reference for as long as the handle is in the multi, which is the only time they run.
extension CurlTransfer {
    var userdata: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    /// CURLOPT_WRITEFUNCTION: called with each piece of the response body. Returning a count
    /// other than the one passed in makes libcurl abort the transfer with CURLE_WRITE_ERROR,
    /// which is how the response size limit stops a body without (or lying about) a length.
    static let writeCallback: curl_write_callback = { data, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        let length = size * count
        guard transfer.body.count + length <= transfer.responseLimit else {
            transfer.responseLimitExceeded = true
            return 0
        }
        if length > 0, let data {
            transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
        }
        return length
    }

    /// CURLOPT_HEADERFUNCTION: called once per complete header line (status line, fields and
    /// the empty line), for every response received — 1xx and each redirect included.
    static let headerCallback: curl_write_callback = { data, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        let length = size * count
        if length > 0, let data {
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            transfer.receiveHeaderLine(String(decoding: bytes, as: UTF8.self))
        }
        return length
    }

    /// CURLOPT_READFUNCTION: libcurl asks for up to size*count bytes of upload; returning 0
    /// signals the end of the data.
    static let readCallback: curl_read_callback = { buffer, size, count, userdata in
        let transfer = CurlTransfer.from(userdata)
        guard let buffer else { return almanac_curl_readfunc_abort }
        let remaining = transfer.upload.count - transfer.uploadOffset
        let length = min(size * count, remaining)
        if length > 0 {
            let start = transfer.upload.startIndex + transfer.uploadOffset
            transfer.upload.copyBytes(
                to: UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                from: start..<(start + length)
            )
            transfer.uploadOffset += length
        }
        return length
    }

    private func receiveHeaderLine(_ raw: String) {
        guard parsesHeaders else { return }
        let line = Self.trimmed(raw[...]) { $0 == 0x0D || $0 == 0x0A }
        if line.hasPrefix("HTTP/") {
            // A new response starts (after a 100 Continue or a followed redirect): only the
            // final response's fields are reported.
            headers = HTTPHeaders()
        } else if line.isEmpty {
            return
        } else if line.first == " " || line.first == "\t" {
            // Obsolete line folding (RFC 9112 §5.2): continues the previous field's value.
            guard var last = headers.fields.last else { return }
            last.value += " " + Self.trimmed(line, Self.isBlank)
            var fields = headers.fields
            fields[fields.count - 1] = last
            headers = HTTPHeaders(fields)
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(Self.trimmed(line[..<colon], Self.isBlank))
            let value = String(Self.trimmed(line[line.index(after: colon)...], Self.isBlank))
            headers.add(name: name, value: value)
        }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// `text` without the leading and trailing ASCII bytes `drop` matches, cut on the UTF-8
    /// view: Foundation's `trimmingCharacters` bridged every header line through NSString
    /// (UTF-16), which showed in profiles of the booking benchmark's client. Cutting at ASCII
    /// bytes keeps whole Unicode scalars.
    static func trimmed(_ text: Substring, _ drop: (UInt8) -> Bool) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !drop($0) }), let last = bytes.lastIndex(where: { !drop($0) }) else {
            return text[text.endIndex...]
        }
        return text[first..<bytes.index(after: last)]
    }

    /// Options every transfer gets.
    func setBaseOptions(url: String) throws(HTTPClientError) {
        // CURLOPT_NOSIGNAL: without it libcurl may use signals (SIGALRM around a blocking name
        // lookup for timeouts, and may ignore SIGPIPE) — the docs say to set it in any
        // multi-threaded program, where a signal could hit another thread or another signal
        // handler could be replaced. Timeouts still work through the multi interface.
        try set(CURLOPT_NOSIGNAL, true, "CURLOPT_NOSIGNAL")
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer), "CURLOPT_ERRORBUFFER")
        try set(CURLOPT_URL, url, "CURLOPT_URL")
        try check(almanac_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, Self.writeCallback), "CURLOPT_WRITEFUNCTION")
        try set(CURLOPT_WRITEDATA, pointer: userdata, "CURLOPT_WRITEDATA")
    }

    func enableHeaderParsing() throws(HTTPClientError) {
        parsesHeaders = true
        try check(almanac_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, Self.headerCallback), "CURLOPT_HEADERFUNCTION")
        try set(CURLOPT_HEADERDATA, pointer: userdata, "CURLOPT_HEADERDATA")
    }

    func enableUpload(_ data: Data) throws(HTTPClientError) {
        upload = data
        uploadOffset = 0
        try set(CURLOPT_UPLOAD, true, "CURLOPT_UPLOAD")
        try check(almanac_curl_easy_setopt_read_callback(handle, CURLOPT_READFUNCTION, Self.readCallback), "CURLOPT_READFUNCTION")
        try set(CURLOPT_READDATA, pointer: userdata, "CURLOPT_READDATA")
        try set(CURLOPT_INFILESIZE_LARGE, offT: data.count, "CURLOPT_INFILESIZE_LARGE")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw .setup(code, url: redactedURL, what: what) }
    }
}
