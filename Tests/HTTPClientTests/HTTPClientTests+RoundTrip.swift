import Foundation
import HTTPClient
import Testing

@Suite struct RoundTripTests {
    @Test func getSendsHeadersAndReadsJSON() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let response = try await client.execute(HTTPRequest(
                url: localURL(port, "/echo?a=1"),
                headers: ["X-Almanac": "desk-7", "Accept": "application/json"]
            ))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let echo = try Echo(response)
            #expect(echo.method == "GET")
            #expect(echo.path == "/echo?a=1")
            #expect(echo.header("x-almanac") == "desk-7")
            #expect(echo.header("user-agent") == "Almanac")
            #expect(echo.header("expect") == nil)
        }
    }

    @Test func postPutDeleteRoundTripBinaryBodies() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let body = Data([0x00, 0xFF, 0x7B, 0x0D, 0x0A] + Array("{\"booking\":\"b-1\"}".utf8) + Array(repeating: 0x41, count: 5000))
            let post = try await client.execute(HTTPRequest(
                method: .post,
                url: localURL(port, "/echo"),
                headers: ["Content-Type": "application/octet-stream", "X-Empty": ""],
                body: body
            ))
            let echoed = try Echo(post)
            #expect(post.status == 200)
            #expect(echoed.method == "POST")
            #expect(echoed.bodyData == body)
            #expect(echoed.header("content-type") == "application/octet-stream")
            #expect(echoed.header("content-length") == "\(body.count)")
            #expect(echoed.header("x-empty") == "")

            // A body without a Content-Type is not labelled as a form by curl.
            let put = try Echo(try await client.execute(HTTPRequest(method: .put, url: localURL(port, "/echo"), body: Data("v2".utf8))))
            #expect(put.method == "PUT")
            #expect(put.bodyData == Data("v2".utf8))
            #expect(put.header("content-type") == nil)

            let delete = try Echo(try await client.execute(HTTPRequest(method: .delete, url: localURL(port, "/echo"))))
            #expect(delete.method == "DELETE")
            #expect(delete.bodyData.isEmpty)

            let emptyPost = try Echo(try await client.execute(HTTPRequest(method: .post, url: localURL(port, "/echo"))))
            #expect(emptyPost.method == "POST")
            #expect(emptyPost.header("content-length") == "0")

            let head = try await client.execute(HTTPRequest(method: .head, url: localURL(port, "/echo")))
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func statusCodesAndRepeatedHeaders() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let response = try await client.execute(HTTPRequest(url: localURL(port, "/status/429")))
            #expect(response.status == 429)
            #expect(response.headers["retry-after"] == "7")
            #expect(response.headers["RETRY-AFTER"] == "7")
            #expect(response.headers.values(for: "x-multi") == ["a", "b"])
            #expect(response.bodyText == "status")

            let missing = try await client.execute(HTTPRequest(url: localURL(port, "/nowhere")))
            #expect(missing.status == 404)
            #expect(!missing.isSuccess)
        }
    }

    @Test func keepAliveConnectionIsReused() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let first = try Echo(try await client.execute(HTTPRequest(url: localURL(port, "/echo"))))
            let second = try Echo(try await client.execute(HTTPRequest(url: localURL(port, "/echo"))))
            #expect(first.clientPort == second.clientPort)
        }
    }

    @Test func redirectsAreOffByDefaultAndBounded() async throws {
        let client = try HTTPClient()
        try await withHTTPServer { _, port in
            let notFollowed = try await client.execute(HTTPRequest(url: localURL(port, "/redirect/1")))
            #expect(notFollowed.status == 302)
            #expect(notFollowed.headers["location"] == "/echo")

            let followed = try await client.execute(HTTPRequest(url: localURL(port, "/redirect/2"), redirectLimit: 3))
            #expect(followed.status == 200)
            #expect(try Echo(followed).path == "/echo")
            #expect(followed.headers["location"] == nil)

            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(HTTPRequest(url: localURL(port, "/redirect/3"), redirectLimit: 1))
            }
            #expect(error?.kind == .tooManyRedirects)
            #expect(error?.curlCode == 47)
        }
    }
}
