import EventStore
import Foundation

/// Types that exercise every corner of Codable, for the EventJSON coder tests.
enum EventJSONFixtures {
    enum Kind: String, Codable, Equatable, CaseIterable { case desk, room, parking = "parking-space" }
    enum Level: Int, Codable, Equatable, CaseIterable { case low = -1, normal = 0, high = 7 }

    struct Inner: Codable, Equatable {
        var name: String
        var score: Double
        var tags: [String]
        var note: String?
    }

    /// Every scalar width, the types Foundation treats specially, optionals, collections,
    /// nesting and raw-value enums.
    struct Everything: Codable, Equatable {
        var string: String
        var int: Int
        var int8: Int8
        var int16: Int16
        var int32: Int32
        var int64: Int64
        var uint: UInt
        var uint8: UInt8
        var uint16: UInt16
        var uint32: UInt32
        var uint64: UInt64
        var double: Double
        var float: Float
        var bool: Bool
        var date: Date
        var data: Data
        var url: URL
        var uuid: UUID
        var optionalString: String?
        var optionalInt: Int?
        var optionals: [Int?]
        var numbers: [Int]
        var byName: [String: Double]
        var byNumber: [Int: String]
        var inner: Inner
        var inners: [Inner]
        var innerByName: [String: Inner]
        var maybeInner: Inner?
        var kind: Kind
        var level: Level
        var matrix: [[Int]]
    }

    /// A type that uses nested containers out of order, super encoders and unkeyed nesting.
    struct Handwritten: Codable, Equatable {
        var a: Int
        var b: String
        var point: [Double]
        var parent: String

        enum Keys: String, CodingKey { case a, b, nested, list, parentKey }
        enum NestedKeys: String, CodingKey { case b, deeper }

        init(a: Int, b: String, point: [Double], parent: String) {
            self.a = a
            self.b = b
            self.point = point
            self.parent = parent
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var nested = container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            // Written to after the parent moved on: the tree must keep them where they belong.
            try container.encode(a, forKey: .a)
            try nested.encode(b, forKey: .b)
            for coordinate in point { try list.encode(coordinate) }
            var deeper = nested.nestedUnkeyedContainer(forKey: .deeper)
            try deeper.encodeNil()
            try deeper.encode(true)
            try parent.encode(to: container.superEncoder(forKey: .parentKey))
            try "base".encode(to: container.superEncoder())
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            a = try container.decode(Int.self, forKey: .a)
            let nested = try container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
            b = try nested.decode(String.self, forKey: .b)
            var deeper = try nested.nestedUnkeyedContainer(forKey: .deeper)
            guard try deeper.decodeNil(), try deeper.decode(Bool.self), deeper.isAtEnd else {
                throw DecodingError.dataCorrupted(.init(codingPath: deeper.codingPath, debugDescription: "deeper is wrong"))
            }
            var list = try container.nestedUnkeyedContainer(forKey: .list)
            var point: [Double] = []
            while !list.isAtEnd { point.append(try list.decode(Double.self)) }
            self.point = point
            parent = try String(from: container.superDecoder(forKey: .parentKey))
            guard try String(from: container.superDecoder()) == "base" else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "super is wrong"))
            }
        }
    }

    /// A date that survives the millisecond format exactly.
    static func date(milliseconds: Int64) -> Date {
        Timestamp.parse(Timestamp.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000)))!
    }

    static let everything = Everything(
        string: "Focus time, 3rd floor / east \"wing\" \\ tab\t nl\n é 😀 \u{2028} \u{7F}",
        int: .max, int8: .min, int16: .max, int32: .min, int64: .min, uint: .max, uint8: .max, uint16: 0, uint32: .max, uint64: .max,
        double: 0.1, float: 0.1, bool: true,
        date: date(milliseconds: 1_900_000_000_123), data: Data([0, 1, 2, 250, 255]),
        url: URL(string: "https://example.com/a%20b?c=/d&e=f#g")!, uuid: UUID(uuidString: "F3B1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D")!,
        optionalString: nil, optionalInt: 0, optionals: [nil, 1, nil], numbers: [], byName: ["b": 1.5, "a": -0.0, "A": 1e300, "a_b": 2, "aB": 3],
        byNumber: [10: "ten", 9: "nine", -1: "minus one"],
        inner: Inner(name: "", score: .leastNonzeroMagnitude, tags: ["x", ""], note: "n"), inners: [Inner(name: "i", score: 1e22, tags: [], note: nil)],
        innerByName: ["k": Inner(name: "v", score: 123456789.125, tags: ["t"], note: nil)], maybeInner: nil,
        kind: .parking, level: .low, matrix: [[], [1], [2, 3]])
}

/// SplitMix64: random values that are the same on every run of a seed, so a failure can be
/// reproduced from the seed the test prints.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
