#pragma once
#include <curl/curl.h>

// Typed wrappers around libcurl's variadic functions.
//
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt take their argument through `...`,
// which Swift cannot call. The docs say which C type each option expects (long, char *, void *,
// curl_off_t, a function pointer, a struct curl_slist *); passing any other type is undefined
// behaviour, so each wrapper below fixes one of those types. HTTPClient picks the wrapper that
// matches the option's documented type.

// MARK: curl_easy_setopt

/// Options documented as taking a `long` (flags, timeouts in ms, enum values such as CURLUSESSL_ALL).
static inline CURLcode almanac_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options documented as taking a `curl_off_t` (the *_LARGE sizes).
static inline CURLcode almanac_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options documented as taking a `char *`. libcurl copies strings passed to setopt (since
/// 7.17.0), except CURLOPT_POSTFIELDS, which HTTPClient never uses (it uses COPYPOSTFIELDS).
static inline CURLcode almanac_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options documented as taking a `void *` / `char *` buffer that libcurl does NOT copy
/// (CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_READDATA, CURLOPT_ERRORBUFFER,
/// CURLOPT_COPYPOSTFIELDS' source): the caller keeps the memory alive as documented.
static inline CURLcode almanac_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Options documented as taking a `struct curl_slist *` (CURLOPT_HTTPHEADER, CURLOPT_MAIL_RCPT).
/// libcurl does not copy the list: it must stay alive until the handle is cleaned up or the
/// option is set to something else.
static inline CURLcode almanac_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
static inline CURLcode almanac_curl_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/// CURLOPT_READFUNCTION.
static inline CURLcode almanac_curl_easy_setopt_read_callback(CURL *handle, CURLoption option, curl_read_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

// MARK: curl_easy_getinfo

/// Infos documented as writing a `long` (CURLINFO_RESPONSE_CODE, CURLINFO_NUM_CONNECTS, ...).
static inline CURLcode almanac_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Infos documented as writing a `char *` owned by the handle (CURLINFO_EFFECTIVE_URL, ...):
/// valid until the handle is cleaned up; copy it before then.
static inline CURLcode almanac_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: curl_multi_setopt

/// Multi options documented as taking a `long` (CURLMOPT_MAX_HOST_CONNECTIONS, CURLMOPT_MAXCONNECTS, ...).
static inline CURLMcode almanac_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// MARK: curl_global_init

/// CURL_GLOBAL_ALL is a macro built from other macros; this keeps the flag in C.
static inline CURLcode almanac_curl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}

// MARK: Constants that are macros in curl.h

/// Size of the buffer CURLOPT_ERRORBUFFER writes into.
static const size_t almanac_curl_error_size = CURL_ERROR_SIZE;

/// Return value of a read callback that aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
static const size_t almanac_curl_readfunc_abort = CURL_READFUNC_ABORT;
