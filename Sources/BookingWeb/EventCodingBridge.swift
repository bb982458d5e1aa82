import EventStore
import Foundation

/// The API speaks JSON the way events are stored (RFC 3339 UTC times), so a time read from an
/// event and one sent to the API look the same.
enum EventCodingBridge {
    static func encode(_ value: some Encodable) throws -> Data {
        try EventCoding.encoder.encode(value)
    }
}
