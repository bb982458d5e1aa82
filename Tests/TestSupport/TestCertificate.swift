import Foundation

/// A self-signed certificate and key made with `openssl req -x509` in a fresh temp folder.
public struct TestCertificate: Sendable {
    public let directory: URL
    public var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
    public var keyPath: String { directory.appendingPathComponent("key.pem").path }

    /// `subjectAltName` as openssl takes it, e.g. "DNS:localhost,IP:127.0.0.1".
    public static func make(subjectAltName: String = "DNS:localhost,IP:127.0.0.1") throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = TestCertificate(directory: directory)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=almanac-test", "-addext", "subjectAltName=\(subjectAltName)",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw ScriptProcessError(description: "openssl req -x509 failed (\(openssl.terminationStatus))")
        }
        return certificate
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
