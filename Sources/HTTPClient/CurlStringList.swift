internal import CCurl

/// Owns a `struct curl_slist` (header lines, SMTP recipients). libcurl does not copy a list set
/// with curl_easy_setopt: it must stay alive until the easy handle is cleaned up, so the
/// transfer that owns the easy handle owns its lists too and frees them after the handle.
final class CurlStringList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    init() {}

    /// Appends a copy of `line` (curl_slist_append copies the string).
    func append(_ line: String) -> Bool {
        // On failure curl_slist_append returns NULL and leaves the old list untouched, so keep
        // the old pointer until the append is known to have worked.
        guard let extended = curl_slist_append(pointer, line) else { return false }
        pointer = extended
        return true
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}
