"""A stand-in for Microsoft Graph's mail sending, for the Mail tests (stdlib only).

It follows the documented contract: the OAuth2 client credentials token endpoint
(POST /{tenant}/oauth2/v2.0/token, form body, {"access_token", "expires_in", "token_type"}) and
POST /v1.0/users/{sender}/sendMail (bearer token, JSON message, 202 Accepted, errors as
{"error": {"code", "message"}}, 401 for an expired token, 429/503 with Retry-After).

Tests steer it through /control/*: `script` queues responses for the next sendMail calls,
`configure` sets the token lifetime and a delay per sendMail, `expire-tokens` expires every
token issued so far, `state` returns what was received. Prints `PORT <n>` once listening on
127.0.0.1 and exits when its stdin closes, so it cannot outlive the test process.
"""
import json, os, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TENANT = "tenant-1"
CLIENT_ID = "almanac-app"
CLIENT_SECRET = "graph-s3cret"
SCOPE = "https://graph.microsoft.com/.default"

lock = threading.Lock()
state = {
    "tokenLifetime": 3600,
    "sendDelayMs": 0,
    "rejectAllTokens": False,
    "tokens": {},          # token -> expiry (epoch seconds)
    "script": [],          # scripted responses for the next sendMail calls
    "tokenRequests": [],
    "sendMail": [],
    "inFlight": 0,
    "maxInFlight": 0,
}


def graph_error(code, message):
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/control/state":
            with lock:
                snapshot = {k: state[k] for k in ("tokenRequests", "sendMail", "maxInFlight")}
            self.send(200, json.dumps(snapshot).encode())
        else:
            self.send(404, graph_error("NotFound", "no such path"))

    def do_POST(self):
        body = self.read_body()
        parts = self.path.partition("?")[0].strip("/").split("/")
        if parts[0] == "control":
            self.control(parts[1], body)
        elif len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            self.token(parts[0], body)
        elif len(parts) == 4 and parts[0] == "v1.0" and parts[1] == "users" and parts[3] == "sendMail":
            self.send_mail(parts[2], body)
        else:
            self.send(404, graph_error("NotFound", "no such path"))

    def control(self, action, body):
        with lock:
            if action == "script":
                state["script"].extend(json.loads(body))
            elif action == "configure":
                for key, value in json.loads(body).items():
                    state[key] = value
            elif action == "expire-tokens":
                for token in state["tokens"]:
                    state["tokens"][token] = 0
        self.send(204)

    def token(self, tenant, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with lock:
            state["tokenRequests"].append({
                "tenant": tenant,
                "contentType": self.headers.get("Content-Type"),
                "clientId": form.get("client_id"),
                "secretMatched": form.get("client_secret") == CLIENT_SECRET,
                "scope": form.get("scope"),
                "grantType": form.get("grant_type"),
            })
            lifetime = state["tokenLifetime"]
        if tenant != TENANT:
            return self.send(400, json.dumps({"error": "invalid_request", "error_description": "AADSTS90002: Tenant '%s' not found." % tenant}).encode())
        if form.get("grant_type") != "client_credentials" or form.get("scope") != SCOPE:
            return self.send(400, json.dumps({"error": "invalid_request", "error_description": "AADSTS900144: bad grant_type or scope"}).encode())
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self.send(401, json.dumps({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}).encode())
        token = "tok-" + uuid.uuid4().hex
        with lock:
            state["tokens"][token] = time.time() + lifetime
        self.send(200, json.dumps({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}).encode())

    def send_mail(self, sender, body):
        with lock:
            state["inFlight"] += 1
            state["maxInFlight"] = max(state["maxInFlight"], state["inFlight"])
        try:
            status, payload, headers = self.handle_send_mail(sender, body)
        finally:
            with lock:
                state["inFlight"] -= 1
        self.send(status, payload, headers)

    def handle_send_mail(self, sender, body):
        received = time.time()
        authorization = self.headers.get("Authorization") or ""
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        with lock:
            state["sendMail"].append({"at": received, "sender": sender, "token": token, "contentType": self.headers.get("Content-Type"), "body": message})
            expiry = state["tokens"].get(token)
            reject_all = state["rejectAllTokens"]
            delay = state["sendDelayMs"]
            scripted = state["script"].pop(0) if state["script"] else None
        if delay:
            time.sleep(delay / 1000)
        if not token:
            return 401, graph_error("InvalidAuthenticationToken", "Access token is empty."), ()
        if expiry is None or reject_all:
            return 401, graph_error("InvalidAuthenticationToken", "IDX14100: JWT is not well formed."), ()
        if expiry < time.time():
            return 401, graph_error("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."), ()
        problem = self.validate(message)
        if problem:
            return 400, graph_error("ErrorInvalidRequest", problem), ()
        if scripted:
            headers = [("Retry-After", str(scripted["retryAfter"]))] if "retryAfter" in scripted else []
            error = scripted.get("error")
            return scripted["status"], graph_error(error["code"], error["message"]) if error else b"", headers
        return 202, b"", [("request-id", str(uuid.uuid4()))]

    @staticmethod
    def validate(payload):
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), dict):
            return "Empty Payload. JSON content expected."
        message = payload["message"]
        body = message.get("body") or {}
        if str(body.get("contentType", "")).lower() not in ("text", "html") or not isinstance(body.get("content"), str):
            return "message.body needs contentType Text or HTML and a content string"
        recipients = []
        for field in ("toRecipients", "ccRecipients", "bccRecipients"):
            recipients += message.get(field) or []
        if not recipients:
            return "At least one recipient is required."
        for recipient in recipients + (message.get("replyTo") or []):
            address = (recipient.get("emailAddress") or {}).get("address", "")
            if "@" not in address:
                return "Invalid recipient address '%s'." % address
        for header in message.get("internetMessageHeaders") or []:
            if not header.get("name", "").lower().startswith("x-"):
                return "The internet message header name '%s' should start with 'x-' or 'X-'." % header.get("name")
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # clients that hang up (cancelled tests) are expected


server = Server(("127.0.0.1", 0), Handler)


def exit_when_stdin_closes():
    while sys.stdin.buffer.read(1024):
        pass
    os._exit(0)


threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
