import Foundation
import TestSupport

func withHTTPServer<T>(tls: TestCertificate? = nil, _ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
    let arguments = tls.map { ["--tls", $0.certificatePath, $0.keyPath] } ?? []
    return try await ScriptProcess.start(name: "http-server", script: Fixtures.httpServer, arguments: arguments).serving(body)
}

func withSMTPServer<T>(startTLS: TestCertificate? = nil, _ body: (ScriptProcess, Int) async throws -> T) async throws -> T {
    try await ScriptProcess.requirePythonModule("aiosmtpd", hint: "the SMTP tests need Python's aiosmtpd: pip install aiosmtpd")
    let arguments = startTLS.map { ["--starttls", $0.certificatePath, $0.keyPath] } ?? []
    return try await ScriptProcess.start(name: "smtp-server", script: Fixtures.smtpServer, arguments: arguments).serving(body)
}
