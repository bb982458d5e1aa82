import Foundation
import Testing
@testable import PostgresClient

func connectFailureText(_ message: String, _ endpoint: String) -> String {
    LibPQConnection.connectFailure(message: message, endpoint: endpoint).description
}

@Suite("Encodings (no server)")
struct EncodingUnitTests {
    @Test func copyTextFormatEscapes() throws {
        var encoder = CopyTextEncoder()
        try encoder.append(["a\\b", "tab\t", "nl\n", "cr\r", nil, "", "\\N", "żółw"])
        try encoder.append(["x"])
        #expect(String(decoding: encoder.takeChunk(), as: UTF8.self) == "a\\\\b\ttab\\t\tnl\\n\tcr\\r\t\\N\t\t\\\\N\tżółw\nx\n")
        #expect(encoder.isEmpty)
        #expect(throws: PostgresClientError.self) { try encoder.append(["nul\u{0}"]) }
    }

    @Test func copyTextFieldByFieldEqualsWholeRows() throws {
        let dates = [0, -0.5, 1_709_210_096.000_001, 253_402_300_799.999_999, -62_135_596_800].map(Date.init(timeIntervalSince1970:))
        var byField = CopyTextEncoder(), whole = CopyTextEncoder()
        for (index, date) in dates.enumerated() {
            let number = Int64(index) * -1_234_567_890_123 + Int64(index)
            try byField.text("a\tb")
            byField.integer(number)
            byField.timestamp(date)
            byField.timestamp(nil)
            try byField.text(utf8: Array("żółw".utf8))
            byField.endRow()
            try whole.append(["a\tb", String(number), date.postgresText, nil, "żółw"])
        }
        byField.integer(.min)
        byField.endRow()
        try whole.append([String(Int64.min)])
        #expect(String(decoding: byField.takeChunk(), as: UTF8.self) == String(decoding: whole.takeChunk(), as: UTF8.self))
        #expect(byField.rowCount == dates.count + 1)
    }

    @Test func timestampsEncodeAndDecode() {
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: 1_709_210_096.000_001)) == "2024-02-29 12:34:56.000001+00")
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31 23:59:59.000000+00")
        #expect(PostgresTimestamp.encode(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01 00:00:00.000000+00")
        #expect(PostgresTimestamp.decode("2024-02-29 12:34:56.000001+00") == Date(timeIntervalSince1970: 1_709_210_096.000_001))
        #expect(PostgresTimestamp.decode("2024-02-29 14:34:56+02") == Date(timeIntervalSince1970: 1_709_210_096))
        #expect(PostgresTimestamp.decode("2024-02-29 12:04:56-00:30") == Date(timeIntervalSince1970: 1_709_210_096))
        #expect(PostgresTimestamp.decode("2024-02-29 12:34:56.5") == Date(timeIntervalSince1970: 1_709_210_096.5))
        #expect(PostgresTimestamp.decode("0044-03-15 00:00:00+00 BC") == nil)
        #expect(PostgresTimestamp.decode("garbage") == nil)
    }

    @Test func hexAndSHA256() {
        #expect(PostgresHex.encode(Data([0, 0xab, 0xff])) == "\\x00abff")
        #expect(PostgresHex.decode("\\x00ABff") == Data([0, 0xab, 0xff]))
        #expect(PostgresHex.decode("\\x0") == nil)
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func identifiers() throws {
        #expect(try PostgresIdentifier.quote("bookings") == "\"bookings\"")
        #expect(try PostgresIdentifier.quote("we\"ird") == "\"we\"\"ird\"")
        #expect(try PostgresIdentifier.quote(qualified: ["public", "Bookings"]) == "\"public\".\"Bookings\"")
        #expect(throws: PostgresClientError.self) { try PostgresIdentifier.quote("") }
        #expect(PostgresIdentifier.isPlain("booking_changed$2"))
        #expect(!PostgresIdentifier.isPlain("2x"))
        #expect(!PostgresIdentifier.isPlain("a-b"))
    }

    @Test func errorDescriptionsAreOneLine() {
        let error = PostgresError(sqlState: .uniqueViolation, message: "duplicate key\nvalue", detail: "Key (id)=(1)\talready exists.", hint: "try\r\nagain")
        #expect(error.description == "PostgreSQL ERROR 23505: duplicate key value (detail: Key (id)=(1) already exists.; hint: try again)")
        #expect(error.isRetryableTransactionFailure == false)
        #expect(PostgresError(sqlState: .deadlockDetected, message: "x").isRetryableTransactionFailure)
    }

    @Test func retryBackoffIsBounded() {
        let policy = PostgresRetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(80))
        for attempt in 1...9 {
            let pause = policy.backoff(after: attempt)
            #expect(pause >= .milliseconds(5) && pause <= .milliseconds(80))
        }
    }
}
