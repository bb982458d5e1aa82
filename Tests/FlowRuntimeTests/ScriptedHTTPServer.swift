import Foundation
import HTTPClient
import TestSupport

/// A local HTTP server (Python, on a loopback port) whose endpoints misbehave on request:
///   /flaky/<key>?fail=N   503 for the first N requests of `key`, then 200 with JSON
///   /hold/<key>           answers only after /release/<key>
///   /hits/<key>           how many requests `key` had
///   /wait-hits/<key>?n=N  answers once `key` had N requests (a test waits without polling)
/// Run by `ScriptProcess`: the script exits when its stdin closes, so it dies with the test process.
final class ScriptedHTTPServer: Sendable {
    static let script = #"""
    import http.server, json, sys, threading, urllib.parse
    hits = {}
    released = set()
    cond = threading.Condition()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client died (a killed runtime): nobody to answer
        def handle_any(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            parts = url.path.strip("/").split("/")
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if len(parts) != 2:
                return self.reply(404, {"error": "no such endpoint"})
            kind, key = parts
            if kind == "hits":
                with cond:
                    count = hits.get(key, 0)
                return self.reply(200, {"hits": count})
            if kind == "wait-hits":
                wanted = int(query.get("n", ["1"])[0])
                with cond:
                    cond.wait_for(lambda: hits.get(key, 0) >= wanted, timeout=120)
                    count = hits.get(key, 0)
                return self.reply(200, {"hits": count})
            if kind == "release":
                with cond:
                    released.add(key)
                    cond.notify_all()
                return self.reply(200, {})
            with cond:
                hits[key] = hits.get(key, 0) + 1
                number = hits[key]
                cond.notify_all()
            if kind == "flaky":
                if number <= int(query.get("fail", ["0"])[0]):
                    return self.reply(503, {"error": "try again later", "hit": number})
                return self.reply(200, {"ok": True, "hit": number, "authorization": self.headers.get("Authorization")})
            if kind == "hold":
                with cond:
                    cond.wait_for(lambda: key in released, timeout=120)
                return self.reply(200, {"ok": True, "hit": number})
            return self.reply(404, {"error": "no such endpoint"})
        do_GET = handle_any
        do_POST = handle_any

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT", server.server_address[1], flush=True)
    def stop_when_stdin_closes():
        sys.stdin.read()
        server.shutdown()
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()
    """#

    let port: Int
    private let process: ScriptProcess
    private let client: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> ScriptedHTTPServer {
        let process = try await ScriptProcess.start(name: "runtime-http", script: script)
        do {
            return ScriptedHTTPServer(port: try await process.listeningPort(), process: process, client: try HTTPClient())
        } catch {
            await process.stop()
            throw error
        }
    }

    private init(port: Int, process: ScriptProcess, client: HTTPClient) {
        self.port = port
        self.process = process
        self.client = client
    }

    func hits(_ key: String) async throws -> Int {
        try await count("hits/\(key)")
    }

    /// Waits (inside the server) until `key` had `count` requests.
    func waitForHits(_ key: String, count: Int) async throws -> Int {
        try await self.count("wait-hits/\(key)?n=\(count)", timeout: .seconds(120))
    }

    func release(_ key: String) async throws {
        _ = try await client.execute(HTTPRequest(method: .post, url: URL(string: "\(baseURL)/release/\(key)")!))
    }

    private func count(_ path: String, timeout: Duration = .seconds(10)) async throws -> Int {
        let response = try await client.execute(HTTPRequest(url: URL(string: "\(baseURL)/\(path)")!, timeout: timeout))
        struct Hits: Decodable { var hits: Int }
        return try JSONDecoder().decode(Hits.self, from: response.body).hits
    }

    func stop() async {
        await process.stop()
        await client.shutdown()
    }
}
