import Foundation
import TestSupport
import HTTPClient
import Testing

/// What the fixture SMTP server prints per delivered message.
struct ReceivedMail: Decodable {
    let mailFrom: String
    let rcptTos: [String]
    let data: String
    let login: String?
    let tls: Bool

    var message: Data { Data(base64Encoded: data) ?? Data() }

    static func first(on server: ScriptProcess) async throws -> ReceivedMail {
        let line = try await server.line(where: { $0.hasPrefix("MESSAGE ") })
        return try JSONDecoder().decode(ReceivedMail.self, from: Data(line.dropFirst("MESSAGE ".count).utf8))
    }
}

@Suite struct SMTPTests {
    let message = Data((
        "From: Almanac <noreply@almanac.test>\r\n" +
        "To: Ada <ada@example.test>, Bob <bob@example.test>\r\n" +
        "Subject: Desk 7 booked\r\n" +
        "Message-ID: <run-1.step-2@almanac.test>\r\n" +
        "\r\n" +
        "Your desk is booked.\r\n" +
        ".A line that starts with a dot survives dot-stuffing.\r\n"
    ).utf8)

    @Test func deliversWithEnvelopeSenderAndRecipients() async throws {
        let client = try HTTPClient()
        try await withSMTPServer { server, port in
            try await client.sendMail(
                smtpURL: localURL(port, "", scheme: "smtp"),
                from: "noreply@almanac.test",
                to: ["ada@example.test", "<bob@example.test>"],
                message: message,
                requireTLS: false
            )
            let mail = try await ReceivedMail.first(on: server)
            #expect(mail.mailFrom == "noreply@almanac.test")
            #expect(mail.rcptTos == ["ada@example.test", "bob@example.test"])
            #expect(mail.message == message)
            #expect(mail.login == nil)
        }
    }

    @Test func authenticatesWithUsernameAndPassword() async throws {
        let client = try HTTPClient()
        try await withSMTPServer { server, port in
            try await client.sendMail(
                smtpURL: localURL(port, "", scheme: "smtp"),
                from: "noreply@almanac.test",
                to: ["ada@example.test"],
                message: message,
                username: "almanac",
                password: "s3cret",
                requireTLS: false
            )
            #expect(try await ReceivedMail.first(on: server).login == "almanac")

            let denied = await #expect(throws: HTTPClientError.self) {
                try await client.sendMail(
                    smtpURL: localURL(port, "", scheme: "smtp"), from: "noreply@almanac.test", to: ["ada@example.test"],
                    message: message, username: "almanac", password: "wrong", requireTLS: false
                )
            }
            #expect(denied?.kind == .loginDenied)
            #expect(denied?.curlCode == 67)
        }
    }

    @Test func requiredTLSFailsAgainstAPlainServer() async throws {
        let client = try HTTPClient()
        try await withSMTPServer { _, port in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.sendMail(
                    smtpURL: localURL(port, "", scheme: "smtp"), from: "noreply@almanac.test", to: ["ada@example.test"],
                    message: message, username: "almanac", password: "s3cret", requireTLS: true
                )
            }
            #expect(error?.kind == .tls)
            #expect(error?.curlCode == 64)
        }
    }

    @Test func startTLSWithVerifiedCertificateDelivers() async throws {
        let certificate = try TestCertificate.make()
        defer { certificate.remove() }
        try await withSMTPServer(startTLS: certificate) { server, port in
            let untrusting = await #expect(throws: HTTPClientError.self) {
                try await HTTPClient().sendMail(
                    smtpURL: localURL(port, "", scheme: "smtp"), from: "noreply@almanac.test", to: ["ada@example.test"],
                    message: message, requireTLS: true
                )
            }
            #expect(untrusting?.kind == .tls)

            let client = try HTTPClient(configuration: HTTPClientConfiguration(caBundlePath: certificate.certificatePath))
            try await client.sendMail(
                smtpURL: localURL(port, "", scheme: "smtp"), from: "noreply@almanac.test", to: ["ada@example.test"],
                message: message, requireTLS: true
            )
            let mail = try await ReceivedMail.first(on: server)
            #expect(mail.tls)
            #expect(mail.message == message)
        }
    }

    @Test func refusesAddressesThatCouldInjectCommands() async throws {
        let client = try HTTPClient()
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.sendMail(
                smtpURL: localURL(1, "", scheme: "smtp"), from: "a@b.test\r\nRCPT TO:<evil@x.test>", to: ["ada@example.test"],
                message: message, requireTLS: false
            )
        }
        #expect(error?.kind == .invalidRequest)
    }
}
