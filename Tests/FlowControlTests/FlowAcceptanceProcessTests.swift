import FlowWork
import Flows
import Foundation
import LocalServers
import Testing
import TestSupport

extension FlowControlSuites {
    /// Issue 5's end-to-end acceptance with real processes: mail delivered through the SMTP
    /// transport to a real SMTP server on loopback, and a runtime killed with SIGKILL in the
    /// middle of a step while flow-control drives a two-step run.
    @Suite("Flows end to end: SMTP delivery and a killed runtime", .timeLimit(.minutes(4)))
    struct FlowAcceptanceProcessTests {
        /// What `smtp_sink.py` prints per delivered mail (the fields checked here).
        struct DeliveredMail: Decodable {
            struct Parsed: Decodable {
                let to: String?
                let subject: String
                let messageId: String
            }
            let rcptTos: [String]
            let parsed: Parsed
        }

        @Test func givenTheRuntimeOnSMTP_whenABookingIsPlaced_thenTheConfirmationIsDelivered_andTheTraceShowsTheStepWithTimings() async throws {
            try await ScriptProcess.requirePythonModule("aiosmtpd", hint: "this test needs Python's aiosmtpd: run tools/setup (pip install aiosmtpd)")
            let sink = try await ScriptProcess.start(name: "smtp-sink", scriptFile: FlowControlHarness.repositoryRoot.appendingPathComponent("Tests/MailTests/Fixtures/smtp_sink.py"))
            try await sink.serving { sink, port in
                let smtp = ["ALMANAC_MAIL_TRANSPORT": "smtp", "ALMANAC_MAIL_SMTP_URL": "smtp://127.0.0.1:\(port)",
                            "ALMANAC_MAIL_SMTP_STARTTLS": "optional", "ALMANAC_MAIL_DEFAULT_SENDER": "noreply@almanac.test"]
                try await FlowProcessStack.with("flow-smtp", flows: [try FlowControlHarness.starterFlow("booking-confirmation")],
                                                runtimeEnvironment: smtp) { stack in
                    try await stack.startRuntime("flow-runtime")
                    try await stack.placeBooking("smtp-ada")

                    let line = try await sink.line(where: { $0.hasPrefix("MESSAGE ") }, timeout: .seconds(60))
                    let mail = try JSONDecoder().decode(DeliveredMail.self, from: Data(line.dropFirst("MESSAGE ".count).utf8))
                    #expect(mail.rcptTos == ["ada@almanac.example"])
                    #expect(mail.parsed.to?.contains("ada@almanac.example") == true)
                    #expect(mail.parsed.subject.hasPrefix("Booked: Desk 1 on "))
                    #expect(mail.parsed.messageId.hasPrefix("<") && mail.parsed.messageId.hasSuffix(">"))

                    let (subject, state) = try await stack.waitForRun("booking-confirmation") { $0.isFinished }
                    #expect(state.status == .completed)
                    // The trace: the step started (when, with its rendered inputs) and succeeded
                    // (when, how long, the Message-ID the sink received).
                    let events = try await stack.runEvents(subject)
                    let started = events.compactMap { if case .stepStarted(let event) = $0 { event } else { nil } }
                    let succeeded = events.compactMap { if case .stepSucceeded(let event) = $0 { event } else { nil } }
                    #expect(started.map(\.stepId) == ["confirm"])
                    #expect(succeeded.map(\.stepId) == ["confirm"])
                    let start = try #require(started.first?.startedAt)
                    let finish = try #require(succeeded.first?.finishedAt)
                    let duration = try #require(succeeded.first?.durationMs)
                    #expect(finish >= start)
                    #expect(duration >= 0 && duration < 60_000)
                    #expect(started.first?.inputs?.value(at: ["subject"]) == .string(mail.parsed.subject))
                    #expect(succeeded.first?.output.value(at: ["messageId"]) == .string(mail.parsed.messageId))
                    if case .completed = events.last {} else { Issue.record("the run's last event is \(String(describing: events.last))") }
                }
            }
        }

        @Test func givenAStepInProgress_whenTheRuntimeIsKilled_thenARestartedRuntimeRunsItAgain_andTheRunCompletesWithOneSuccessPerStep() async throws {
            let http = try await ScriptProcess.start(name: "held-http", script: Self.heldFirstRequestServer)
            try await http.serving { http, port in
                let flow = FlowDefinition(id: "call-then-notify", name: "Call, then notify", trigger: .bookingEvent(BookingEventTrigger(events: ["booking.placed"])),
                                          steps: [FlowStep(id: "call", action: .httpRequest(HTTPRequestStep(method: .POST, url: "http://127.0.0.1:\(port)/call/{{booking.bookingId}}")),
                                                           timeout: "60s", retry: RetryPolicy(attempts: 1)),
                                                  FlowStep(id: "notify", action: .httpRequest(HTTPRequestStep(method: .POST, url: "http://127.0.0.1:\(port)/notify/{{booking.bookingId}}")))])
                try await FlowProcessStack.with("flow-kill-runtime", flows: [flow]) { stack in
                    let first = try await stack.startRuntime("flow-runtime-1")
                    try await stack.placeBooking("kill-rt-ada")
                    // The first runtime is inside the step: the server holds its request.
                    _ = try await http.line(where: { $0 == "HIT /call/kill-rt-ada 1" }, timeout: .seconds(60))
                    try await stack.kill(first)

                    try await stack.startRuntime("flow-runtime-2")
                    // The job comes back after the ack wait; the step runs again and is answered.
                    _ = try await http.line(where: { $0 == "HIT /call/kill-rt-ada 2" }, timeout: .seconds(60))
                    let (subject, state) = try await stack.waitForRun(flow.id) { $0.isFinished }
                    #expect(state.status == .completed)
                    #expect(http.lines(where: { $0.hasPrefix("HIT /notify/") }) == ["HIT /notify/kill-rt-ada 1"])
                    let events = try await stack.runEvents(subject)
                    let successes = events.compactMap { if case .stepSucceeded(let event) = $0 { event.stepId } else { nil } }
                    #expect(successes == ["call", "notify"])
                    #expect(!events.contains { if case .stepFailed = $0 { true } else { false } })
                }
            }
        }

        /// Prints `PORT <n>`, then `HIT <path> <n>` per request (n: the how-many-th request of
        /// that path). The first request of each `/call/…` path is never answered: it is held
        /// until its client is gone (the killed runtime); every other request gets 200.
        static let heldFirstRequestServer = #"""
        import http.server, sys, threading
        hits = {}
        lock = threading.Lock()
        forever = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with lock:
                    hits[self.path] = hits.get(self.path, 0) + 1
                    number = hits[self.path]
                print("HIT %s %d" % (self.path, number), flush=True)
                if self.path.startswith("/call/") and number == 1:
                    forever.wait(300)
                    return
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print("PORT", server.server_address[1], flush=True)
        def stop_when_stdin_closes():
            sys.stdin.read()
            server.shutdown()
        threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
        server.serve_forever()
        """#
    }
}
