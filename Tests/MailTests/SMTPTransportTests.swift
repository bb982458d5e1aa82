import Foundation
import TestSupport
import HTTPClient
import Mail
import Testing

/// What the SMTP sink (Fixtures/smtp_sink.py) prints per delivered message.
struct DeliveredMail: Decodable {
    struct Parsed: Decodable {
        struct Part: Decodable {
            let contentType: String
            let charset: String?
            let transferEncoding: String?
            let content: String
        }

        let from: String
        let to: String?
        let cc: String?
        let bcc: String?
        let replyTo: String?
        let subject: String
        let messageId: String
        let date: String
        let dateParsed: Bool
        let mimeVersion: String
        let contentType: String
        let headers: [[String]]
        let defects: [String]
        let parts: [Part]
        let longestLine: Int
    }

    let mailFrom: String
    let rcptTos: [String]
    let data: String
    let login: String?
    let tls: Bool
    let parsed: Parsed

    static func next(on server: ScriptProcess, index: Int = 0) async throws -> DeliveredMail {
        _ = try await server.line(where: { $0.hasPrefix("MESSAGE ") })
        let lines = server.lines(where: { $0.hasPrefix("MESSAGE ") })
        return try JSONDecoder().decode(DeliveredMail.self, from: Data(lines[index].dropFirst("MESSAGE ".count).utf8))
    }
}

func withSMTPSink<T>(startTLS: TestCertificate? = nil, _ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
    try await ScriptProcess.requirePythonModule("aiosmtpd", hint: "the SMTP tests need Python's aiosmtpd: run tools/setup (pip install aiosmtpd)")
    let arguments = startTLS.map { ["--starttls", $0.certificatePath, $0.keyPath] } ?? []
    return try await withFixtureServer("smtp-sink", script: "smtp_sink.py", arguments: arguments, body)
}

@Suite struct SMTPTransportTests {
    func smtpURL(_ port: Int) -> URL { URL(string: "smtp://127.0.0.1:\(port)")! }

    @Test func givenTextAndHTML_whenSentOverSMTP_thenAMailClientSeesMultipartAlternativeWithEveryHeader() async throws {
        try await withSMTPSink { server, port in
            let transport = SMTPTransport(
                configuration: SMTPConfiguration(url: smtpURL(port), username: "almanac", password: MailSecret("s3cret"), requireTLS: false),
                client: try HTTPClient()
            )
            let longLine = String(repeating: "lorem ipsum ", count: 20)
            let message = try MailMessage(
                from: MailAddress("noreply@almanac.test", name: "Almanac Bookings"),
                to: [MailAddress("ada@example.test", name: "Zoë Ådahl"), MailAddress("bob@example.test", name: "Lovelace, Ada")],
                cc: [MailAddress("carol@example.test")],
                bcc: [MailAddress("audit@example.test")],
                replyTo: [MailAddress("desk@almanac.test")],
                subject: "Ihre Buchung: Schreibtisch 7 — Büro Zürich, morgen um 09:00 Uhr bestätigt ✅",
                textBody: "Grüße!\nYour desk is booked.\n.A dot line\ntrailing space \n\(longLine)",
                htmlBody: "<p>Grüße! <b>Desk 7</b> is booked.</p>",
                headers: [MailHeader(name: "X-Almanac-Run", value: "run-1")],
                messageID: MailMessageID.forStep(runID: "run-1", stepID: "confirm", domain: "almanac.test")
            )
            let receipt = try await transport.send(message)
            #expect(receipt.transport == "smtp")

            let mail = try await DeliveredMail.next(on: server)
            #expect(mail.login == "almanac")
            #expect(mail.mailFrom == "noreply@almanac.test")
            #expect(mail.rcptTos == ["ada@example.test", "bob@example.test", "carol@example.test", "audit@example.test"])
            let parsed = mail.parsed
            #expect(parsed.defects.isEmpty)
            #expect(parsed.subject == message.subject)
            #expect(parsed.from == "Almanac Bookings <noreply@almanac.test>")
            #expect(parsed.to == "Zoë Ådahl <ada@example.test>, \"Lovelace, Ada\" <bob@example.test>")
            #expect(parsed.cc == "carol@example.test")
            #expect(parsed.bcc == nil)
            #expect(parsed.replyTo == "desk@almanac.test")
            #expect(parsed.messageId == "<almanac.run-1.confirm@almanac.test>")
            #expect(parsed.dateParsed)
            #expect(parsed.mimeVersion == "1.0")
            #expect(parsed.headers.contains(["X-Almanac-Run", "run-1"]))
            #expect(parsed.contentType == "multipart/alternative")
            #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
            #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" && $0.transferEncoding == "quoted-printable" })
            #expect(parsed.parts[0].content == "Grüße!\nYour desk is booked.\n.A dot line\ntrailing space \n\(longLine)")
            #expect(parsed.parts[1].content == "<p>Grüße! <b>Desk 7</b> is booked.</p>")
            #expect(parsed.longestLine <= 78)
        }
    }

    @Test func givenOnlyText_whenSent_thenTheMessageIsASinglePlainPart() async throws {
        try await withSMTPSink { server, port in
            let transport = SMTPTransport(configuration: SMTPConfiguration(url: smtpURL(port), requireTLS: false), client: try HTTPClient())
            _ = try await transport.send(try sampleMessage(html: nil))
            let mail = try await DeliveredMail.next(on: server)
            #expect(mail.login == nil)
            #expect(mail.parsed.contentType == "text/plain")
            #expect(mail.parsed.parts.count == 1)
            #expect(mail.parsed.parts[0].content == "Your desk is booked.")
            #expect(mail.parsed.subject == "Desk 7 booked")
        }
    }

    @Test func givenStartTLSIsRequired_whenTheServerOffersIt_thenTheMailGoesEncrypted() async throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(startTLS: certificate) { server, port in
            let configuration = SMTPConfiguration(url: smtpURL(port), username: "almanac", password: MailSecret("s3cret"),
                                                  requireTLS: true, caBundlePath: certificate.certificatePath)
            let transport = SMTPTransport(configuration: configuration,
                                          client: try HTTPClient(configuration: HTTPClientConfiguration(caBundlePath: certificate.certificatePath)))
            _ = try await transport.send(try sampleMessage())
            let mail = try await DeliveredMail.next(on: server)
            #expect(mail.tls)
            #expect(mail.login == "almanac")
        }
    }

    @Test func givenStartTLSIsRequired_whenTheServerDoesNotOfferIt_thenTheErrorIsAConfigurationProblem() async throws {
        try await withSMTPSink { _, port in
            let transport = SMTPTransport(configuration: SMTPConfiguration(url: smtpURL(port), requireTLS: true), client: try HTTPClient())
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.kind == .configuration)
            #expect(error?.isRetryable == false)
        }
    }

    @Test func givenWrongCredentials_whenSending_thenAuthenticationFailsWithoutRetryOrSecret() async throws {
        try await withSMTPSink { _, port in
            let transport = SMTPTransport(
                configuration: SMTPConfiguration(url: smtpURL(port), username: "almanac", password: MailSecret("not-the-pa55word"), requireTLS: false),
                client: try HTTPClient()
            )
            let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
            #expect(error?.kind == .authentication)
            #expect(error?.isRetryable == false)
            #expect(error?.description.contains("not-the-pa55word") == false)
        }
    }

    @Test func givenTheServerRefusesARecipient_whenSending_then5xxIsLastingAnd4xxIsRetryable() async throws {
        try await withSMTPSink { _, port in
            let transport = SMTPTransport(configuration: SMTPConfiguration(url: smtpURL(port), requireTLS: false), client: try HTTPClient())
            let permanent = await #expect(throws: MailTransportError.self) {
                try await transport.send(try sampleMessage(to: "reject-permanent@example.test"))
            }
            #expect(permanent?.kind == .rejected)
            #expect(permanent?.isRetryable == false)
            #expect(permanent?.message.contains("550") == true)
            let temporary = await #expect(throws: MailTransportError.self) {
                try await transport.send(try sampleMessage(to: "reject-temporary@example.test"))
            }
            #expect(temporary?.isRetryable == true)
        }
    }

    @Test func givenNoServer_whenSending_thenTheErrorIsRetryable() async throws {
        let transport = SMTPTransport(configuration: SMTPConfiguration(url: URL(string: "smtp://127.0.0.1:9")!, requireTLS: false), client: try HTTPClient())
        let error = await #expect(throws: MailTransportError.self) { try await transport.send(try sampleMessage()) }
        #expect(error?.kind == .unavailable)
        #expect(error?.isRetryable == true)
    }
}

@Suite struct RFC5322RenderingTests {
    @Test func givenALongNonASCIISubject_whenRendered_thenItIsSplitIntoShortEncodedWords() throws {
        let message = try sampleMessage(subject: String(repeating: "Ünïcödé ", count: 12))
        let text = String(decoding: message.rfc5322(date: Date(timeIntervalSince1970: 0)), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(!text.contains("Ü"))
    }

    @Test func givenTheSameMessage_whenRenderedTwice_thenTheBytesAreTheSame() throws {
        let message = try sampleMessage()
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(message.rfc5322(date: date) == message.rfc5322(date: date))
    }
}
