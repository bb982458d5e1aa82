import EventStore
import Foundation
import Testing

/// Dates are the event-store convention (`Timestamp`), which the coders write and parse on
/// bytes themselves: the results must be exactly `Timestamp`'s.
@Suite("EventJSON dates")
struct EventJSONDateTests {
    struct When: Codable, Equatable { var at: Date }

    @Test("Given dates from year 1 to 9999 and beyond, when encoded, then the text is Timestamp.format's")
    func formatting() throws {
        var random = SeededGenerator(state: UInt64.random(in: 0 ... .max))
        let edges: [Double] = [0, -0.001, 0.0005, 0.0015, 0.698, -62_135_596_800, -62_135_596_800.001, 253_402_300_799.999, 253_402_300_800,
                               951_782_400, 1_900_000_000.123, -2_208_988_800.5, 1e12, -1e12]
        let randoms = (0..<5000).map { _ in Double.random(in: -62_135_596_800...253_402_300_799, using: &random) }
        for seconds in edges + randoms {
            let date = Date(timeIntervalSince1970: seconds)
            let ours = try EventJSONEncoder().encode(When(at: date))
            #expect(ours == Array("{\"at\":\"\(Timestamp.format(date))\"}".utf8), "\(seconds)")
        }
    }

    @Test("Given timestamps with and without fractions, offsets and lower case, when decoded, then the Date is Timestamp.parse's exactly")
    func parsing() throws {
        var random = SeededGenerator(state: UInt64.random(in: 0 ... .max))
        var texts = ["2027-03-28T01:30:00Z", "2027-03-28T01:30:00.250Z", "2027-03-28t01:30:00.1z", "2027-03-28T03:30:00+02:00",
                     "2027-03-28T01:30:00.123456789Z", "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2016-12-31T23:59:60Z",
                     "1969-12-31T23:59:59.999Z"]
        texts += (0..<3000).map { _ in
            Timestamp.format(Date(timeIntervalSince1970: Double(Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random)) / 1000))
        }
        for text in texts {
            let expected = try #require(Timestamp.parse(text), "\(text)")
            let decoded = try EventJSONDecoder().decode(When.self, from: Array("{\"at\":\"\(text)\"}".utf8))
            #expect(decoded.at.timeIntervalSince1970.bitPattern == expected.timeIntervalSince1970.bitPattern, "\(text)")
        }
        // Escaped characters are unescaped before parsing.
        #expect(try EventJSONDecoder().decode(When.self, from: Array(#"{"at":"2027-03-28T01:30:00\u002e250Z"}"#.utf8)).at
                == Timestamp.parse("2027-03-28T01:30:00.250Z"))
    }

    @Test("Given text that is not an RFC 3339 date, when decoded as a Date, then dataCorrupted quotes it")
    func badDates() {
        for text in ["", "yesterday", "2027-13-01T00:00:00Z", "2027-03-28 01:30:00Z", "2027-03-28T01:30:00", "2027-03-28T01:30:00.Z"] {
            #expect {
                _ = try EventJSONDecoder().decode(When.self, from: Array("{\"at\":\"\(text)\"}".utf8))
            } throws: { error in
                guard case DecodingError.dataCorrupted(let context) = error else { return false }
                return context.debugDescription == "not an RFC 3339 date: \(text)" && context.codingPath.map(\.stringValue) == ["at"]
            }
        }
    }
}
