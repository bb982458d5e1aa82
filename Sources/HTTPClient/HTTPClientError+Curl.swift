internal import CCurl
import Foundation

extension HTTPClientError {
    /// The error for a transfer libcurl finished with `code` (not CURLE_OK).
    /// `responseLimitExceeded` is set when our write callback refused the body for its size.
    static func curl(
        _ code: CURLcode,
        url: String,
        errorBuffer: String,
        responseLimit: Int,
        responseLimitExceeded: Bool
    ) -> HTTPClientError {
        let kind: Kind
        switch code {
        case _ where responseLimitExceeded,
             // CURLOPT_MAXFILESIZE_LARGE: the announced Content-Length is over the limit, so curl
             // refuses before reading the body.
             CURLE_FILESIZE_EXCEEDED:
            kind = .responseTooLarge(limit: responseLimit)
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT:
            kind = .cannotConnect
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            kind = .tls
        case CURLE_TOO_MANY_REDIRECTS:
            kind = .tooManyRedirects
        case CURLE_LOGIN_DENIED:
            kind = .loginDenied
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT:
            kind = .invalidRequest
        default:
            kind = .transferFailed
        }
        let detail = errorBuffer.trimmingCharacters(in: .whitespacesAndNewlines)
        return HTTPClientError(
            kind: kind,
            url: url,
            curlCode: Int(code.rawValue),
            message: String(cString: curl_easy_strerror(code)),
            detail: detail.isEmpty ? nil : detail
        )
    }

    /// The error for a curl_easy_setopt (or similar) call that failed while building a transfer.
    static func setup(_ code: CURLcode, url: String, what: String) -> HTTPClientError {
        HTTPClientError(
            kind: code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN ? .transferFailed : .invalidRequest,
            url: url,
            curlCode: Int(code.rawValue),
            message: String(cString: curl_easy_strerror(code)),
            detail: "setting \(what)"
        )
    }

    static func invalidRequest(url: String, _ reason: String) -> HTTPClientError {
        HTTPClientError(kind: .invalidRequest, url: url, message: reason)
    }
}

extension URL {
    /// The URL for messages and logs: no user info, and a query shown only as `?…`, because
    /// either may carry a secret.
    var redactedForLogs: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else {
            return "<unparseable URL>"
        }
        components.user = nil
        components.password = nil
        let hadQuery = components.percentEncodedQuery != nil
        components.percentEncodedQuery = nil
        components.fragment = nil
        return (components.string ?? "<unparseable URL>") + (hadQuery ? "?…" : "")
    }
}
