import Foundation

/// Maps event types to stable wire names and versions, encodes and decodes bodies, and
/// upcasts old versions on read.
///
/// Domain targets declare plain `Codable` structs and import nothing of this; the assembly
/// registers them here. Renaming a Swift type never changes what is stored.
public struct EventTypeRegistry: Sendable {
    public typealias Upcaster = @Sendable (JSONValue) throws -> JSONValue

    struct Registration: Sendable {
        let wireName: String
        let version: Int
        let decode: @Sendable (Data) throws -> any Sendable
        let decodeBuffer: @Sendable (UnsafeBufferPointer<UInt8>) throws -> any Sendable
        let encode: @Sendable (any Sendable) throws -> Data
        /// An example body per version, for the contract test.
        let examples: @Sendable () -> [any Sendable]
    }

    private var byType: [ObjectIdentifier: Registration] = [:]
    private var byWireName: [String: Registration] = [:]
    /// `upcasters[name][v]` turns a body of version `v` into version `v + 1`.
    private var upcasters: [String: [Int: Upcaster]] = [:]

    public init() {}

    /// Registers `type` as the newest version of `wireName`. `examples` feed the contract
    /// test that checks every emitted event against its JSON Schema.
    public mutating func register<Event: Codable & Sendable>(
        _ type: Event.Type, as wireName: String, version: Int = 1, examples: @escaping @Sendable () -> [Event] = { [] }
    ) {
        precondition(byWireName[wireName] == nil, "event type \(wireName) registered twice")
        let registration = Registration(
            wireName: wireName, version: version,
            // EventJSON writes exactly what EventCoding.encoder writes (tested byte for byte) at
            // a quarter of the cost; EventCoding stays as the reference the tests compare with.
            decode: { data in try EventJSONDecoder().decode(Event.self, from: data) },
            decodeBuffer: { buffer in try EventJSONDecoder().decode(Event.self, fromBuffer: buffer) },
            encode: { event in Data(try EventJSONEncoder().encode(event as! Event)) },
            examples: { examples() })
        byType[ObjectIdentifier(type)] = registration
        byWireName[wireName] = registration
    }

    /// Adds the step that turns version `from` of `wireName` into version `from + 1`.
    public mutating func upcast(_ wireName: String, from version: Int, _ upcaster: @escaping Upcaster) {
        upcasters[wireName, default: [:]][version] = upcaster
    }

    /// Wire names and newest versions of everything registered.
    public var registeredTypes: [(wireName: String, version: Int)] {
        byWireName.values.map { ($0.wireName, $0.version) }.sorted { $0.wireName < $1.wireName }
    }

    /// Example events (newest version) for the contract test, with their wire names and bodies.
    public func examples() throws -> [(wireName: String, version: Int, body: Data)] {
        try byWireName.values.sorted { $0.wireName < $1.wireName }.flatMap { registration in
            try registration.examples().map { (registration.wireName, registration.version, try registration.encode($0)) }
        }
    }

    func encode(_ event: any Sendable) throws -> (wireName: String, version: Int, body: Data) {
        guard let registration = byType[ObjectIdentifier(Swift.type(of: event))] else {
            throw EventStoreError.unregisteredType(String(reflecting: Swift.type(of: event)))
        }
        return (registration.wireName, registration.version, try registration.encode(event))
    }

    /// Decodes a stored body, upcasting it first when it was written by an older version.
    /// Unknown types decode to `UnknownEvent`, so readers skip what they do not know.
    public func decode(type wireName: String, version: Int, body: Data) throws -> any Sendable {
        guard let registration = byWireName[wireName] else {
            return UnknownEvent(type: wireName, version: version, body: body)
        }
        if version == registration.version {
            return try decodeBody(registration, body, wireName: wireName, version: version)
        }
        guard version < registration.version else {
            throw EventStoreError.unsupportedVersion(type: wireName, version: version, newest: registration.version)
        }
        var json = try EventJSONDecoder().decode(JSONValue.self, from: body)
        for step in version..<registration.version {
            guard let upcaster = upcasters[wireName]?[step] else {
                throw EventStoreError.malformed("no upcaster for \(wireName) from v\(step) to v\(step + 1)")
            }
            json = try upcaster(json)
        }
        return try decodeBody(registration, Data(try EventJSONEncoder().encode(json)), wireName: wireName, version: version)
    }

    /// `decode(type:version:body:)` of a body in a buffer (a message's, not copied when it is
    /// of the newest version).
    public func decode(type wireName: String, version: Int, body: UnsafeBufferPointer<UInt8>) throws -> any Sendable {
        guard let registration = byWireName[wireName], version == registration.version else {
            return try decode(type: wireName, version: version, body: Data(buffer: body))
        }
        do {
            return try registration.decodeBuffer(body)
        } catch {
            throw EventStoreError.malformed("\(wireName) v\(version) body does not decode: \(error)")
        }
    }

    private func decodeBody(_ registration: Registration, _ body: Data, wireName: String, version: Int) throws -> any Sendable {
        do {
            return try registration.decode(body)
        } catch {
            throw EventStoreError.malformed("\(wireName) v\(version) body does not decode: \(error)")
        }
    }
}

/// An event whose type this build does not know (written by a newer service).
public struct UnknownEvent: Sendable, Equatable {
    public let type: String
    public let version: Int
    public let body: Data
}

/// The JSON conventions of event bodies: sorted keys, RFC 3339 UTC dates with milliseconds.
public enum EventCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date: \(text)")
            }
            return date
        }
        return decoder
    }()
}
