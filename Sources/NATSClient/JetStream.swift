import Foundation

/// The JetStream API of one connection: publish with expectations, atomic batches, streams,
/// consumers, direct reads and key-value buckets. Every call is a request through the
/// connection's reply router, so none of them blocks a thread.
public struct JetStream: Sendable {
    public let connection: NATSConnection
    /// `$JS.API` unless a JetStream domain is used.
    public var apiPrefix: String = "$JS.API"
    public var timeout: Duration = .seconds(5)

    init(connection: NATSConnection) {
        self.connection = connection
    }

    // MARK: API requests

    /// Calls a JetStream API endpoint with a JSON body and decodes its JSON answer, turning an
    /// `error` member into a `JetStreamError`.
    func api<Response: Decodable>(_ path: String, _ body: some Encodable, as: Response.Type = Response.self) async throws -> Response {
        let payload = try JSONCoding.encoder.encode(body)
        let reply = try await connection.request("\(apiPrefix).\(path)", payload: Array(payload), timeout: timeout)
        return try Self.decodeAPIResponse(reply.payload, from: path)
    }

    func api<Response: Decodable>(_ path: String, as: Response.Type = Response.self) async throws -> Response {
        let reply = try await connection.request("\(apiPrefix).\(path)", timeout: timeout)
        return try Self.decodeAPIResponse(reply.payload, from: path)
    }

    static func decodeAPIResponse<Response: Decodable>(_ payload: [UInt8], from path: String) throws -> Response {
        let data = Data(payload)
        // Only an answer that mentions "error" is decoded twice; every PubAck is decoded once.
        if Self.mentionsError(payload), let failure = try? JSONCoding.decoder.decode(APIErrorEnvelope.self, from: data), let error = failure.error {
            throw JetStreamError(code: error.code, errorCode: error.errCode ?? 0, text: error.description ?? "unknown error")
        }
        do {
            return try JSONCoding.decoder.decode(Response.self, from: data)
        } catch {
            throw NATSError(kind: .protocolViolation, message: "unexpected answer from \(path): \(error)")
        }
    }
}

extension JetStream {
    private static let errorKey = Array(#""error""#.utf8)

    static func mentionsError(_ payload: [UInt8]) -> Bool {
        guard payload.count >= errorKey.count else { return false }
        return payload.withUnsafeBufferPointer { bytes in
            var index = 0
            while index <= bytes.count - errorKey.count {
                if bytes[index] == 0x22, bytes[index + 1] == 0x65, bytes[index + 2] == 0x72, bytes[index + 3] == 0x72,
                   bytes[index + 4] == 0x6F, bytes[index + 5] == 0x72, bytes[index + 6] == 0x22 { return true }
                index += 1
            }
            return false
        }
    }
}

struct APIErrorEnvelope: Decodable {
    struct Body: Decodable {
        let code: Int
        let errCode: Int?
        let description: String?
        enum CodingKeys: String, CodingKey { case code, errCode = "err_code", description }
    }
    let error: Body?
}

struct Empty: Codable {}

/// JetStream's JSON is snake_case with acronyms (`allow_msg_ttl`) that key strategies would
/// garble, so every type spells its keys out and the coders stay plain.
enum JSONCoding {
    static let encoder = JSONEncoder()
    static let decoder = JSONDecoder()
}
