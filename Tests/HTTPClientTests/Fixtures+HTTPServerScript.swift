/// A small HTTP(S) server for the tests (Python's ThreadingHTTPServer). Written to a temp file
/// and started by `ScriptProcess`. It prints `PORT <n>` once listening on 127.0.0.1 (port 0:
/// the kernel picks a free one), prints `REQUEST <path>` when a /delay request arrives, and
/// exits when its stdin closes, so it cannot outlive the test process.
///
/// Paths: /echo (JSON of method, path, headers, base64 body, client port), /status/<code>
/// (Retry-After: 7, X-Multi: a, X-Multi: b), /delay/<ms>, /bytes/<n> (with Content-Length),
/// /stream/<n> (no Content-Length, body ends at close), /redirect/<n> (n hops, then /echo).
/// `--tls CERT KEY` serves HTTPS.
enum Fixtures {
    static let httpServer = #"""
    import base64, json, os, ssl, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            if isinstance(self.request, ssl.SSLSocket):
                self.request.do_handshake()

        def send(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = self.path.partition("?")[0].strip("/").split("/")
            if parts[0] == "echo":
                payload = {
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": base64.b64encode(body).decode(),
                    "clientPort": self.client_address[1],
                }
                self.send(200, json.dumps(payload).encode(), [("Content-Type", "application/json")])
            elif parts[0] == "status":
                self.send(int(parts[1]), b"status", [("Retry-After", "7"), ("X-Multi", "a"), ("X-Multi", "b")])
            elif parts[0] == "delay":
                print("REQUEST " + self.path, flush=True)
                time.sleep(min(int(parts[1]), 30000) / 1000)
                self.send(200, b"late")
            elif parts[0] == "bytes":
                self.send(200, b"x" * int(parts[1]))
            elif parts[0] == "stream":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                remaining = int(parts[1])
                while remaining > 0:
                    chunk = min(remaining, 1024)
                    self.wfile.write(b"y" * chunk)
                    self.wfile.flush()
                    remaining -= chunk
            elif parts[0] == "redirect":
                hops = int(parts[1])
                self.send(302, b"", [("Location", "/echo" if hops <= 1 else "/redirect/%d" % (hops - 1))])
            else:
                self.send(404, b"no such path")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

        def handle_error(self, request, client_address):
            pass  # clients that hang up (timeouts, cancellation, refused certificates) are expected

    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def exit_when_stdin_closes():
        while sys.stdin.buffer.read(1024):
            pass
        os._exit(0)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
    """#

    /// An SMTP server (aiosmtpd). Prints `PORT <n>`, then `MESSAGE <json>` per delivered mail
    /// (envelope sender, recipients, base64 data, authenticated login, whether TLS was on).
    /// Accepts AUTH as almanac / s3cret. `--starttls CERT KEY` offers and requires STARTTLS.
    static let smtpServer = #"""
    import asyncio, base64, json, logging, os, ssl, sys, warnings
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    warnings.simplefilter("ignore")  # aiosmtpd's own deprecation notices
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # refused handshakes are expected

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            login = session.auth_data.login.decode() if session.auth_data is not None else None
            print("MESSAGE " + json.dumps({
                "mailFrom": envelope.mail_from,
                "rcptTos": envelope.rcpt_tos,
                "data": base64.b64encode(envelope.original_content).decode(),
                "login": login,
                "tls": session.ssl is not None,
            }), flush=True)
            return "250 OK delivered"

    def authenticator(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login == b"almanac" and auth_data.password == b"s3cret":
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    async def main():
        tls_context = None
        if len(sys.argv) == 4 and sys.argv[1] == "--starttls":
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_context.load_cert_chain(sys.argv[2], sys.argv[3])
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="localhost", tls_context=tls_context,
                         require_starttls=tls_context is not None,
                         authenticator=authenticator, auth_require_tls=False),
            "127.0.0.1", 0)
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        def wait_for_stdin_close():
            while sys.stdin.buffer.read(1024):
                pass
        await loop.run_in_executor(None, wait_for_stdin_close)
        os._exit(0)

    asyncio.run(main())
    """#
}
