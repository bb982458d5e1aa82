import EventStore
import Foundation
import Testing

/// Random values through both coders: whatever the values, the bytes are Foundation's and
/// every decoder reads every encoder's output back to the same value.
@Suite("EventJSON coders on random values")
struct EventJSONRandomTests {
    typealias Fixtures = EventJSONFixtures

    /// Characters chosen to hit every escaping and encoding path.
    static let alphabet: [Unicode.Scalar] = {
        var scalars: [Unicode.Scalar] = (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        scalars += ["\"", "\\", "/", "\u{7F}", "é", "\u{301}", "ß", "\u{2028}", "\u{FEFF}", "😀", "\u{1F1E9}", "\u{1F1EA}", "日", "\u{10FFFF}", "\u{E000}"]
        scalars += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:".unicodeScalars
        return scalars
    }()

    static func string(_ random: inout SeededGenerator) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &random) { text.append(alphabet.randomElement(using: &random)!) }
        return String(text)
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ random: inout SeededGenerator) -> T {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: T.min
        case 1: T.max
        case 2: T.min + T(Int.random(in: 0...3, using: &random))
        case 3: T.max - T(Int.random(in: 0...3, using: &random))
        case 4: T(truncatingIfNeeded: Int.random(in: -1000...1000, using: &random))
        default: T.random(in: T.min...T.max, using: &random)
        }
    }

    static func double(_ random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: Double(bitPattern: random.next() & ~(0x7FF << 52) | (UInt64.random(in: 0..<0x7FF, using: &random) << 52))  // any finite
        case 1: Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 100
        case 2: Double.random(in: -1...1, using: &random)
        case 3: [0, -0.0, 1e22, 1e23, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .leastNormalMagnitude, 0.1].randomElement(using: &random)!
        default: Double(Int64.random(in: .min ... .max, using: &random))
        }
    }

    static func inner(_ random: inout SeededGenerator) -> Fixtures.Inner {
        Fixtures.Inner(name: string(&random), score: double(&random), tags: (0..<Int.random(in: 0...3, using: &random)).map { _ in string(&random) },
                       note: Bool.random(using: &random) ? nil : string(&random))
    }

    static func everything(_ random: inout SeededGenerator) -> Fixtures.Everything {
        var bytes = [UInt8](repeating: 0, count: Int.random(in: 0...20, using: &random))
        for index in bytes.indices { bytes[index] = .random(in: 0...255, using: &random) }
        return Fixtures.Everything(
            string: string(&random), int: integer(Int.self, &random), int8: integer(Int8.self, &random), int16: integer(Int16.self, &random),
            int32: integer(Int32.self, &random), int64: integer(Int64.self, &random), uint: integer(UInt.self, &random),
            uint8: integer(UInt8.self, &random), uint16: integer(UInt16.self, &random), uint32: integer(UInt32.self, &random),
            uint64: integer(UInt64.self, &random), double: double(&random),
            float: Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &random) | (Bool.random(using: &random) ? 0x8000_0000 : 0)),
            bool: .random(using: &random),
            date: Fixtures.date(milliseconds: Int64.random(in: -2_000_000_000_000...5_000_000_000_000, using: &random)),
            data: Data(bytes), url: URL(string: "https://example.com/\(Int.random(in: 0...999, using: &random))?q=a%2Fb")!,
            uuid: UUID(), optionalString: Bool.random(using: &random) ? nil : string(&random),
            optionalInt: Bool.random(using: &random) ? nil : integer(Int.self, &random),
            optionals: (0..<Int.random(in: 0...4, using: &random)).map { _ in Bool.random(using: &random) ? nil : integer(Int.self, &random) },
            numbers: (0..<Int.random(in: 0...6, using: &random)).map { _ in integer(Int.self, &random) },
            byName: Dictionary((0..<Int.random(in: 0...6, using: &random)).map { _ in (string(&random), double(&random)) }, uniquingKeysWith: { a, _ in a }),
            byNumber: Dictionary((0..<Int.random(in: 0...6, using: &random)).map { _ in (integer(Int.self, &random), string(&random)) }, uniquingKeysWith: { a, _ in a }),
            inner: inner(&random), inners: (0..<Int.random(in: 0...3, using: &random)).map { _ in inner(&random) },
            innerByName: Dictionary((0..<Int.random(in: 0...3, using: &random)).map { _ in (string(&random), inner(&random)) }, uniquingKeysWith: { a, _ in a }),
            maybeInner: Bool.random(using: &random) ? nil : inner(&random),
            kind: Fixtures.Kind.allCases.randomElement(using: &random)!, level: Fixtures.Level.allCases.randomElement(using: &random)!,
            matrix: (0..<Int.random(in: 0...3, using: &random)).map { _ in (0..<Int.random(in: 0...3, using: &random)).map { _ in integer(Int.self, &random) } })
    }

    @Test("Given 2000 random values of every Codable kind, when encoded by either coder, then bytes match Foundation's and all decoders agree")
    func randomValues() throws {
        let seed = UInt64.random(in: 0 ... .max)
        var random = SeededGenerator(state: seed)
        for round in 0..<2000 {
            let value = Self.everything(&random)
            try EventJSONEquivalenceTests.checkAgainstFoundation(value, "seed \(seed), round \(round)")
        }
    }

    @Test("Given random bytes and random damage to valid JSON, when decoded, then the result is a value or a DecodingError, never a crash")
    func hostileInput() throws {
        let seed = UInt64.random(in: 0 ... .max)
        var random = SeededGenerator(state: seed)
        let valid = try EventJSONEncoder().encode(Fixtures.everything)
        for round in 0..<3000 {
            var bytes = valid
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in Array("[{\"1a-,:}] \\u0e.tfn".utf8).randomElement(using: &random)! }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = .random(in: 0...255, using: &random)
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(.random(in: 0...255, using: &random), at: index)
                    }
                }
            }
            do {
                _ = try EventJSONDecoder().decode(Fixtures.Everything.self, from: bytes)
                _ = try EventJSONDecoder().decode(JSONValue.self, from: bytes)
            } catch is DecodingError {
                // Expected for most damage.
            } catch {
                Issue.record("seed \(seed), round \(round): \(error) is not a DecodingError")
            }
        }
    }
}
