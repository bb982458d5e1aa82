import EventStore
import Foundation
import Testing

/// The EventJSON coders against Foundation's, configured as `EventCoding` configures them.
@Suite("EventJSON coders agree with Foundation")
struct EventJSONEquivalenceTests {
    typealias Fixtures = EventJSONFixtures

    /// Every direction of the round trip, and byte equality with Foundation's sorted output.
    static func checkAgainstFoundation<T: Codable & Equatable>(_ value: T, _ comment: @autoclosure () -> String = "",
                                                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try EventJSONEncoder().encode(value)
        let foundation = Array(try EventCoding.encoder.encode(value))
        #expect(ours == foundation, "\(comment())\nours:       \(String(decoding: ours, as: UTF8.self))\nFoundation: \(String(decoding: foundation, as: UTF8.self))",
                sourceLocation: sourceLocation)
        #expect(try EventJSONDecoder().decode(T.self, from: ours) == value, "\(comment())", sourceLocation: sourceLocation)
        #expect(try EventCoding.decoder.decode(T.self, from: Data(ours)) == value, "\(comment())", sourceLocation: sourceLocation)
        #expect(try EventJSONDecoder().decode(T.self, from: foundation) == value, "\(comment())", sourceLocation: sourceLocation)
    }

    @Test("Given a value using every Codable feature, when encoded, then the bytes are Foundation's and both decoders read it back")
    func everything() throws {
        try Self.checkAgainstFoundation(Fixtures.everything)
    }

    @Test("Given nested containers written out of order and super encoders, when encoded, then the bytes are Foundation's")
    func handwritten() throws {
        try Self.checkAgainstFoundation(Fixtures.Handwritten(a: -3, b: "bee", point: [1.5, -2, 0], parent: "p"))
    }

    @Test("Given integers at the edges of every width, when encoded and decoded, then they agree with Foundation")
    func integerEdges() throws {
        try Self.checkAgainstFoundation([Int.min, Int.min + 1, -1, 0, 1, Int.max - 1, Int.max])
        try Self.checkAgainstFoundation([Int8.min, -1, 0, Int8.max])
        try Self.checkAgainstFoundation([Int16.min, Int16.max])
        try Self.checkAgainstFoundation([Int32.min, Int32.max])
        try Self.checkAgainstFoundation([Int64.min, Int64.max])
        try Self.checkAgainstFoundation([UInt.max, 0])
        try Self.checkAgainstFoundation([UInt8.max, UInt8.min])
        try Self.checkAgainstFoundation([UInt16.max])
        try Self.checkAgainstFoundation([UInt32.max])
        try Self.checkAgainstFoundation([UInt64.max, 1 << 63, (1 << 53) + 1])
    }

    @Test("Given doubles and floats that are hard to print, when encoded, then the text is Foundation's and they round-trip exactly")
    func floatingPoint() throws {
        let doubles: [Double] = [0, -0.0, 1, -1, 0.1, 0.2, 0.3, 1e-7, 1e15, 1e16, 1e21, 1e22, 1e23, 9007199254740992, 123456789.123,
                                 .pi, -.pi, .leastNonzeroMagnitude, 2.2250738585072014e-308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 .leastNormalMagnitude, 1.7976931348623157e308, 4.35, 0.1 + 0.2, 100, 1e100, 1.5e-300]
        try Self.checkAgainstFoundation(doubles)
        try Self.checkAgainstFoundation([Float(0), 0.1, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 16_777_216, 3.4028235e38, .pi])
    }

    @Test("Given strings with every kind of character, when encoded, then they are escaped exactly like Foundation does")
    func strings() throws {
        var controls = ""
        for value in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        let strings = ["", " ", controls, "\u{7F}", "\"", "\\", "/", "</script>", "é", "e\u{301}", "😀", "\u{2028}\u{2029}", "\u{FEFF}",
                       "日本語", "\u{10FFFF}", "a\0b", String(repeating: "long ", count: 300)]
        try Self.checkAgainstFoundation(strings)
        try Self.checkAgainstFoundation(Dictionary(strings.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    @Test("Given Foundation-written JSON with escapes and whitespace, when decoded, then the result equals Foundation's")
    func decodesWhatFoundationReads() throws {
        let texts = [
            #"  { "a" : "\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\" , "b" : [ 1 , 2.5e3 , -0 , 1E-2 ] }  "#,
            #"{"a":"plain","b":[]}"#,
            #"{"b":[1.0,1e2,-5],"a":"\u0000\u001F"}"#,
        ]
        struct Sample: Codable, Equatable { var a: String; var b: [Double] }
        for text in texts {
            #expect(try EventJSONDecoder().decode(Sample.self, from: Array(text.utf8)) == EventCoding.decoder.decode(Sample.self, from: Data(text.utf8)))
        }
        // Integers written with a fraction or exponent are integers to Foundation too.
        #expect(try EventJSONDecoder().decode([Int].self, from: Array("[1.0,1e2,-0,-0.0]".utf8)) == [1, 100, 0, 0])
        #expect(try EventJSONDecoder().decode([UInt64].self, from: Array("[1e19]".utf8)) == [10_000_000_000_000_000_000])
    }

    @Test("Given optionals, when a key is null or missing, then decodeIfPresent gives nil and decode fails as in Foundation")
    func optionals() throws {
        struct Maybe: Codable, Equatable { var x: Int?; var y: String? }
        for text in [#"{}"#, #"{"x":null,"y":null}"#, #"{"x":3}"#, #"{"y":"s","x":null}"#] {
            #expect(try EventJSONDecoder().decode(Maybe.self, from: Array(text.utf8)) == EventCoding.decoder.decode(Maybe.self, from: Data(text.utf8)))
        }
        try Self.checkAgainstFoundation(Maybe(x: nil, y: nil))
        try Self.checkAgainstFoundation(Maybe(x: 1, y: nil))
        try Self.checkAgainstFoundation([Int?.none, 1, nil])
        try Self.checkAgainstFoundation([String: Int?]())
        #expect(try EventJSONDecoder().decode(Int?.self, from: Array("null".utf8)) == nil)
    }

    @Test("Given doubly optional values, when encoded and decoded, then the bytes and the values are Foundation's")
    func nestedOptionals() throws {
        struct Twice: Codable, Equatable { var x: Int??; var list: [Int??]; var map: [String: Int?] }
        for value in [Twice(x: .some(nil), list: [.some(nil), nil, 3], map: ["a": nil, "b": 2]), Twice(x: nil, list: [], map: [:]),
                      Twice(x: 5, list: [.some(.some(1))], map: ["": nil])] {
            let ours = try EventJSONEncoder().encode(value)
            #expect(ours == Array(try EventCoding.encoder.encode(value)))
            #expect(try EventJSONDecoder().decode(Twice.self, from: ours) == EventCoding.decoder.decode(Twice.self, from: Data(ours)))
        }
    }

    @Test("Given duplicate keys, when decoded, then the first wins, as with Foundation")
    func duplicateKeys() throws {
        struct One: Codable, Equatable { var a: Int }
        let text = #"{"a":1,"b":0,"a":2}"#
        #expect(try EventJSONDecoder().decode(One.self, from: Array(text.utf8)) == EventCoding.decoder.decode(One.self, from: Data(text.utf8)))
        #expect(try EventJSONDecoder().decode([String: Int].self, from: Array(text.utf8)) == EventCoding.decoder.decode([String: Int].self, from: Data(text.utf8)))
        // Escaped spellings of the same key are the same key.
        #expect(try EventJSONDecoder().decode(One.self, from: Array(#"{"\u0061":5}"#.utf8)) == One(a: 5))
    }

    @Test("Given keys that share long prefixes, are empty or escaped, when decoded, then each finds its own value")
    func lookalikeKeys() throws {
        struct Lookalikes: Codable, Equatable {
            var a, abcdefgh, abcdefghi, abcdefghij, abcdefghik, empty: Int
            enum CodingKeys: String, CodingKey { case a, abcdefgh, abcdefghi, abcdefghij, abcdefghik, empty = "" }
        }
        let value = Lookalikes(a: 1, abcdefgh: 2, abcdefghi: 3, abcdefghij: 4, abcdefghik: 5, empty: 6)
        try Self.checkAgainstFoundation(value)
        let escaped = #"{"\u0061bcdefghik":5,"abcdefgh":2,"":6,"a\u0062cdefghi":3,"a":1,"abcdefghij":4}"#
        #expect(try EventJSONDecoder().decode(Lookalikes.self, from: Array(escaped.utf8)) == value)
        // Twenty members: the hashed lookup.
        let wide = Dictionary(uniqueKeysWithValues: (0..<20).map { ("abcdefgh-\($0)", $0) })
        try Self.checkAgainstFoundation(wide)
    }

    @Test("Given top-level scalars, arrays and a big dictionary, when encoded and decoded, then they agree with Foundation")
    func shapes() throws {
        try Self.checkAgainstFoundation("just a string")
        try Self.checkAgainstFoundation(42)
        try Self.checkAgainstFoundation(true)
        try Self.checkAgainstFoundation(Fixtures.date(milliseconds: -1))
        try Self.checkAgainstFoundation([[String: [Int]]]())
        try Self.checkAgainstFoundation(Dictionary(uniqueKeysWithValues: (0..<500).map { ("key-\($0)", $0) }))
        try Self.checkAgainstFoundation(Fixtures.Kind.allCases)
        try Self.checkAgainstFoundation(Fixtures.Level.allCases)
        try Self.checkAgainstFoundation(["a": Decimal(string: "12.340")!, "b": Decimal(-5), "c": Decimal(string: "0.000001")!, "d": Decimal(string: "123456789012345678901234567890")!])
    }

    @Test("Given a booking-like body, when encoded, then it is byte-equal to what EventCoding writes today")
    func bookingBody() throws {
        struct BookingPlaced: Codable, Equatable {
            var bookingId, resourceId, siteId, bookerId, title: String
            var start, end: Date
            var siteTimeZone, bookerTimeZone, source: String
            var checkInRequired: Bool
            var attendees: Int
        }
        let start = Fixtures.date(milliseconds: 1_900_000_000_000)
        try Self.checkAgainstFoundation(BookingPlaced(
            bookingId: "0b5e2f8a-3c1d-4e6f-9a7b-8c9d0e1f2a3b", resourceId: "desk-00003", siteId: "site-berlin-hq",
            bookerId: "f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", title: "Focus time, 3rd floor east wing", start: start,
            end: start.addingTimeInterval(4 * 3600), siteTimeZone: "Europe/Berlin", bookerTimeZone: "Europe/Lisbon",
            source: "booking-web", checkInRequired: true, attendees: 1))
    }
}
