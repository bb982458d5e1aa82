import EventStore
import Foundation
import Testing

/// Bad input gives `DecodingError`s that say what is wrong, where, and never crash.
@Suite("EventJSON coder errors")
struct EventJSONErrorTests {
    struct Pair: Codable, Equatable { var a: Int; var b: String }

    static func corruption<T: Decodable>(_ type: T.Type, _ text: [UInt8]) -> String? {
        do {
            _ = try EventJSONDecoder().decode(type, from: text)
            return nil
        } catch DecodingError.dataCorrupted(let context) {
            return context.debugDescription
        } catch {
            return "unexpected error \(error)"
        }
    }

    @Test("Given malformed JSON, when decoded, then dataCorrupted says what is wrong and where")
    func malformed() throws {
        let texts = ["", " ", "{", "[", "[1,]", #"{"a":1,}"#, "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[1e+]", "[-]", #""abc"#, #""\x""#,
                     #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u12G4""#, "[1] x", "[1][2]", "nul", "tru", "falsey", "{1:2}",
                     #"{"a" 1}"#, #"{"a":1 "b":2}"#, "[1 2]", "// comment\n1", "NaN", "Infinity", "'a'", "\u{FEFF}1"]
        for text in texts {
            let message = Self.corruption(JSONValue.self, Array(text.utf8))
            #expect(message?.hasPrefix("The given data was not valid JSON") == true, "\(text): \(message ?? "decoded")")
        }
        #expect(Self.corruption(JSONValue.self, Array("[1,]".utf8))?.contains("at byte 3") == true)
        // Raw control characters and broken UTF-8 inside strings.
        for bytes: [UInt8] in [[0x22, 0x01, 0x22], [0x22, 0x0A, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22],
                               [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
                               [0x22, 0xF0, 0x9F, 0x98, 0x22], [0x22, 0x80, 0x22]] {
            #expect(Self.corruption(String.self, bytes)?.hasPrefix("The given data was not valid JSON") == true, "\(bytes)")
        }
        #expect(try EventJSONDecoder().decode(String.self, from: [0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]) == "\u{10FFFF}")
    }

    @Test("Given nesting deeper than the limit, when decoded, then it is refused instead of exhausting the stack")
    func depthLimit() throws {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(Self.corruption(JSONValue.self, deep)?.contains("nested deeper than 512") == true)
        let allowed = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try EventJSONDecoder().decode(JSONValue.self, from: Array(allowed.utf8)) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(Self.corruption(JSONValue.self, Array(tooDeep.utf8)) != nil)
    }

    @Test("Given numbers that do not fit the type, when decoded, then dataCorrupted names the number and the type")
    func numbersOutOfRange() {
        #expect(Self.corruption(Int8.self, Array("128".utf8)) == "Number 128 does not fit in Int8.")
        #expect(Self.corruption(Int8.self, Array("-129".utf8)) != nil)
        #expect(Self.corruption(UInt8.self, Array("-1".utf8)) != nil)
        #expect(Self.corruption(Int64.self, Array("9223372036854775808".utf8)) != nil)
        #expect(Self.corruption(UInt64.self, Array("18446744073709551616".utf8)) != nil)
        #expect(Self.corruption(Int.self, Array("99999999999999999999999".utf8)) != nil)
        #expect(Self.corruption(Int.self, Array("1.5".utf8)) == "Number 1.5 does not fit in Int.")
        #expect(Self.corruption(Int.self, Array("1e400".utf8)) != nil)
        #expect(Self.corruption(Double.self, Array("1e400".utf8)) == "Number 1e400 does not fit in Double.")
        #expect(Self.corruption(Float.self, Array("1e39".utf8)) == "Number 1e39 does not fit in Float.")
        #expect((try? EventJSONDecoder().decode(Int64.self, from: Array("-9223372036854775808".utf8))) == Int64.min)
        #expect((try? EventJSONDecoder().decode(Double.self, from: Array("1e-400".utf8))) == 0)
    }

    @Test("Given a missing key, a null or a wrong type, when decoded, then the error and coding path are Foundation's")
    func typedErrors() throws {
        struct Outer: Codable { var nested: Inner }
        struct Inner: Codable { var items: [Int] }
        let cases: [String] = [#"{"b":"x"}"#, #"{"a":null,"b":"x"}"#, #"{"a":"1","b":"x"}"#, #"{"a":1,"b":2}"#, #"[1]"#, #"null"#, #"{"a":true,"b":"x"}"#]
        for text in cases {
            let ours = Self.error { try EventJSONDecoder().decode(Pair.self, from: Array(text.utf8)) }
            let theirs = Self.error { try EventCoding.decoder.decode(Pair.self, from: Data(text.utf8)) }
            #expect(ours?.kind == theirs?.kind, "\(text): \(String(describing: ours)) vs \(String(describing: theirs))")
            #expect(ours?.path == theirs?.path, "\(text)")
        }
        let text = #"{"nested":{"items":[1,"x"]}}"#
        let ours = Self.error { try EventJSONDecoder().decode(Outer.self, from: Array(text.utf8)) }
        #expect(ours?.kind == "typeMismatch")
        #expect(ours?.path == ["nested", "items", "Index 1"])
        #expect(ours?.path == Self.error { try EventCoding.decoder.decode(Outer.self, from: Data(text.utf8)) }?.path)
        let short = #"{"nested":{"items":"no"}}"#
        #expect(Self.error { try EventJSONDecoder().decode(Outer.self, from: Array(short.utf8)) }?.kind == "typeMismatch")
        let date = #"{"at":"yesterday"}"#
        struct When: Codable { var at: Date }
        #expect(Self.error { try EventJSONDecoder().decode(When.self, from: Array(date.utf8)) }?.kind == "dataCorrupted")
        #expect(Self.error { try EventJSONDecoder().decode(Data.self, from: Array(#""no base64!""#.utf8)) }?.kind == "dataCorrupted")
    }

    @Test("Given an unkeyed container at its end, when decoding more, then valueNotFound names the index")
    func unkeyedAtEnd() {
        struct Two: Decodable {
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                _ = try container.decode(Int.self)
                _ = try container.decode(Int.self)
            }
        }
        let error = Self.error { try EventJSONDecoder().decode(Two.self, from: Array("[1]".utf8)) }
        #expect(error?.kind == "valueNotFound")
        #expect(error?.path == ["Index 1"])
    }

    @Test("Given NaN, infinity or a value that encodes nothing, when encoded, then EncodingError.invalidValue says so")
    func encodingErrors() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct HasDouble: Encodable { var x: Double }
        for attempt: () throws -> [UInt8] in [
            { try EventJSONEncoder().encode(Double.nan) }, { try EventJSONEncoder().encode([Float.infinity]) },
            { try EventJSONEncoder().encode(HasDouble(x: -.infinity)) }, { try EventJSONEncoder().encode(Nothing()) },
        ] {
            #expect {
                _ = try attempt()
            } throws: { error in
                if case EncodingError.invalidValue = error { return true } else { return false }
            }
        }
        #expect(try EventJSONEncoder().encode(["x": Nothing()]) == Array(#"{"x":{}}"#.utf8))
    }

    /// The error's case name and coding path, for comparing two decoders.
    static func error(_ body: () throws -> Any) -> (kind: String, path: [String])? {
        do {
            _ = try body()
            return nil
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context): return ("typeMismatch", context.codingPath.map(\.stringValue))
            case .valueNotFound(_, let context): return ("valueNotFound", context.codingPath.map(\.stringValue))
            case .keyNotFound(_, let context): return ("keyNotFound", context.codingPath.map(\.stringValue))
            case .dataCorrupted(let context): return ("dataCorrupted", context.codingPath.map(\.stringValue))
            @unknown default: return ("unknown", [])
            }
        } catch {
            return ("not a DecodingError: \(error)", [])
        }
    }
}
