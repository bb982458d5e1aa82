internal import CCurl
import Foundation

extension CurlTransfer {
    /// Configures this transfer as `request`, with `configuration` filling what it leaves open.
    func configureHTTP(_ request: HTTPRequest, _ configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        try enableHeaderParsing()

        // Only HTTP(S), also for redirects: a URL from a flow step must not reach file:// or
        // other schemes libcurl happens to support.
        try set(CURLOPT_PROTOCOLS_STR, "http,https", "CURLOPT_PROTOCOLS_STR")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "CURLOPT_REDIR_PROTOCOLS_STR")
        let redirects = min(max(request.redirectLimit ?? configuration.redirectLimit, 0), HTTPClientConfiguration.redirectLimitCap)
        try set(CURLOPT_FOLLOWLOCATION, redirects > 0, "CURLOPT_FOLLOWLOCATION")
        if redirects > 0 {
            try set(CURLOPT_MAXREDIRS, redirects, "CURLOPT_MAXREDIRS")
        }

        try setTimeouts(
            connect: request.connectTimeout ?? configuration.connectTimeout,
            total: request.timeout ?? configuration.timeout
        )
        try setTLSVerification(caBundlePath: configuration.caBundlePath)

        // curl refuses up front a response whose Content-Length exceeds this (CURLE_FILESIZE_EXCEEDED);
        // bodies without a length are cut by the write callback.
        try set(CURLOPT_MAXFILESIZE_LARGE, offT: responseLimit, "CURLOPT_MAXFILESIZE_LARGE")
        if configuration.acceptCompressedResponses {
            // "" = offer every encoding this libcurl can decode, and decode the body.
            try set(CURLOPT_ACCEPT_ENCODING, "", "CURLOPT_ACCEPT_ENCODING")
        }
        try set(CURLOPT_USERAGENT, configuration.userAgent, "CURLOPT_USERAGENT")

        try setMethodAndBody(request.method, request.body)
        try set(CURLOPT_HTTPHEADER, lines: headerLines(request), "CURLOPT_HTTPHEADER")
    }

    func setTimeouts(connect: Duration, total: Duration) throws(HTTPClientError) {
        try set(CURLOPT_CONNECTTIMEOUT_MS, connect.curlMilliseconds, "CURLOPT_CONNECTTIMEOUT_MS")
        try set(CURLOPT_TIMEOUT_MS, total.curlMilliseconds, "CURLOPT_TIMEOUT_MS")
    }

    /// Peer and host verification on, always (these are libcurl's defaults too; set anyway so
    /// nothing can have changed them). VERIFYHOST 2 = the certificate must name the host.
    func setTLSVerification(caBundlePath: String?) throws(HTTPClientError) {
        try set(CURLOPT_SSL_VERIFYPEER, 1, "CURLOPT_SSL_VERIFYPEER")
        try set(CURLOPT_SSL_VERIFYHOST, 2, "CURLOPT_SSL_VERIFYHOST")
        if let caBundlePath {
            try set(CURLOPT_CAINFO, caBundlePath, "CURLOPT_CAINFO")
        }
    }

    private func setMethodAndBody(_ method: HTTPMethod, _ body: Data?) throws(HTTPClientError) {
        let token = method.rawValue
        guard !token.isEmpty, token.unicodeScalars.allSatisfy(Self.isTokenCharacter) else {
            throw .invalidRequest(url: redactedURL, "invalid method \(token.debugDescription)")
        }
        switch (method, body) {
        case (.head, _):
            // NOBODY makes curl send HEAD and not wait for a body.
            try set(CURLOPT_NOBODY, true, "CURLOPT_NOBODY")
        case (.get, nil):
            try set(CURLOPT_HTTPGET, true, "CURLOPT_HTTPGET")
        case (.post, _):
            try set(CURLOPT_POST, true, "CURLOPT_POST")
        default:
            // CUSTOMREQUEST only replaces the method word; the body (if any) goes as for POST.
            try set(CURLOPT_CUSTOMREQUEST, token, "CURLOPT_CUSTOMREQUEST")
        }
        if method == .post || body != nil {
            let body = body ?? Data()
            // POSTFIELDSIZE_LARGE first: COPYPOSTFIELDS then copies exactly that many bytes
            // (binary safe) into the handle, so `body` need not outlive this call.
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offT: body.count, "CURLOPT_POSTFIELDSIZE_LARGE")
            if body.isEmpty {
                try set(CURLOPT_COPYPOSTFIELDS, "", "CURLOPT_COPYPOSTFIELDS")
            } else {
                var failure: HTTPClientError?
                body.withUnsafeBytes { bytes in
                    do throws(HTTPClientError) {
                        try set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress), "CURLOPT_COPYPOSTFIELDS")
                    } catch {
                        failure = error
                    }
                }
                if let failure { throw failure }
            }
        }
    }

    /// `Name: value` lines for CURLOPT_HTTPHEADER, validated so no header can inject another.
    private func headerLines(_ request: HTTPRequest) throws(HTTPClientError) -> [String] {
        var lines: [String] = []
        for field in request.headers {
            guard !field.name.isEmpty, field.name.unicodeScalars.allSatisfy(Self.isTokenCharacter) else {
                throw .invalidRequest(url: redactedURL, "invalid header name \(field.name.debugDescription)")
            }
            guard !field.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw .invalidRequest(url: redactedURL, "header \(field.name) has a line break in its value")
            }
            // "Name:" would tell curl to remove the header; "Name;" sends it with an empty value.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if request.body != nil || request.method == .post, !request.headers.contains("Content-Type") {
            // Otherwise curl labels a body application/x-www-form-urlencoded.
            lines.append("Content-Type:")
        }
        if !request.headers.contains("Expect") {
            // Otherwise curl sends "Expect: 100-continue" for larger bodies and waits up to a
            // second for the interim response.
            lines.append("Expect:")
        }
        return lines
    }

    /// RFC 9110 tchar.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9":
            true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~":
            true
        default:
            false
        }
    }
}
